// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ICatalog} from "../interfaces/ICatalog.sol";
import {IEnclaveRegistry} from "../interfaces/IEnclaveRegistry.sol";
import {ITeeOffers} from "../interfaces/ITeeOffers.sol";
import {ILeaseMarket} from "./ILeaseMarket.sol";

/**
 * @title LeaseMarket
 * @notice {ILeaseMarket}: leases of a model for a time window and a token budget, settled from
 * enclave-signed cumulative usage. It reads TEE offers from the market, solution offers from the
 * catalog and enclaves from the registry, and holds its own escrow (pull payments).
 * `_finalize` is the one place a lease's escrow is paid out.
 */
contract LeaseMarket is ILeaseMarket, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice EIP-712 type of what an enclave signs per lease; src/protocol/leaseUsage.ts is its twin.
    bytes32 public constant USAGE_TYPEHASH = keccak256(
        "LeaseUsage(uint256 leaseId,address customer,uint64 tokensIn,uint64 tokensOut,uint64 requests)"
    );

    /// @notice The token every escrow and payout is in (the market's payment token).
    IERC20 public immutable paymentToken;
    /// @notice Where TEE offers are read.
    ITeeOffers public immutable teeOffers;
    /// @notice Where solution offers are read.
    ICatalog public immutable catalog;
    /// @notice Where enclaves (and their providers) are read.
    IEnclaveRegistry public immutable registry;
    /// @notice Seconds after a lease's end, and after its last settlement, before it can be finalised.
    uint40 public immutable settlementWindow;
    /// @notice The longest lease.
    uint40 public immutable maxDuration;
    /// @notice The longest lease front URL a provider may publish, in bytes.
    uint256 public constant MAX_ENDPOINT_LENGTH = 256;

    mapping(uint256 leaseId => Lease) private _leases;
    mapping(uint256 leaseId => mapping(address enclave => Usage)) private _settled;
    mapping(address account => uint256) private _balances;
    mapping(address provider => string) private _leaseEndpoints;
    uint256 private _leaseCount;

    constructor(
        IERC20 paymentToken_,
        ITeeOffers teeOffers_,
        ICatalog catalog_,
        IEnclaveRegistry registry_,
        uint40 settlementWindow_,
        uint40 maxDuration_
    ) EIP712("BOCC Leases", "1") {
        paymentToken = paymentToken_;
        teeOffers = teeOffers_;
        catalog = catalog_;
        registry = registry_;
        settlementWindow = settlementWindow_;
        maxDuration = maxDuration_;
    }

    /// @inheritdoc ILeaseMarket
    function openLease(
        uint32 teeOfferId,
        uint32 solutionOfferId,
        uint40 durationSeconds,
        uint64 maxTokens
    ) external nonReentrant returns (uint256 leaseId) {
        if (durationSeconds == 0 || durationSeconds > maxDuration)
            revert DurationOutOfRange(durationSeconds, maxDuration);
        if (maxTokens == 0) revert ZeroTokenBudget();
        ITeeOffers.TeeOffer memory tee = teeOffers.getTeeOffer(teeOfferId);
        if (!tee.active) revert TeeOfferNotActive(teeOfferId);
        ICatalog.SolutionOffer memory solution = catalog.getSolutionOffer(solutionOfferId);
        if (!solution.active) revert SolutionOfferNotActive(solutionOfferId);
        if (
            (solution.hardwareMask & (uint8(1) << uint8(tee.hardware))) == 0 ||
            (solution.restrictTeeOffers && !catalog.solutionAllowsTeeOffer(solutionOfferId, teeOfferId))
        ) revert SolutionNotAllowedOnTeeOffer(solutionOfferId, teeOfferId);
        uint256 escrow = _timeCost(tee.price, durationSeconds) + _tokenCost(solution.price, maxTokens);
        leaseId = ++_leaseCount;
        uint40 startsAt = uint40(block.timestamp);
        _leases[leaseId] = Lease({
            customer: msg.sender,
            provider: tee.provider,
            solutionVendor: solution.owner,
            teeOfferId: teeOfferId,
            solutionOfferId: solutionOfferId,
            startsAt: startsAt,
            endsAt: startsAt + durationSeconds,
            closedAt: 0,
            lastSettledAt: 0,
            finalized: false,
            overClaimed: false,
            pricePerHour: tee.price,
            pricePerThousandTokens: solution.price,
            maxTokens: maxTokens,
            tokensClaimed: 0,
            escrow: uint128(escrow),
            solutionHash: solution.solutionHash
        });
        emit LeaseOpened(
            leaseId,
            msg.sender,
            tee.provider,
            teeOfferId,
            solutionOfferId,
            solution.solutionHash,
            startsAt,
            startsAt + durationSeconds,
            maxTokens,
            uint128(escrow)
        );
        paymentToken.safeTransferFrom(msg.sender, address(this), escrow);
    }

    /// @inheritdoc ILeaseMarket
    function settleUsage(SignedUsage[] calldata batch) external {
        for (uint256 i = 0; i < batch.length; ++i) {
            SignedUsage calldata item = batch[i];
            Lease storage lease = _existing(item.leaseId);
            if (msg.sender != lease.provider) revert NotLeaseProvider(item.leaseId, msg.sender);
            if (lease.finalized) revert LeaseAlreadyFinalized(item.leaseId);
            uint40 endedAt = _endOf(lease);
            if (block.timestamp > uint256(endedAt) + settlementWindow)
                revert SettlementWindowOver(item.leaseId, endedAt);
            _checkSigned(item.leaseId, lease, item.enclave, item.usage, item.signature);
            Usage storage settled = _settled[item.leaseId][item.enclave];
            Usage calldata usage = item.usage;
            if (
                usage.requests <= settled.requests ||
                usage.tokensIn < settled.tokensIn ||
                usage.tokensOut < settled.tokensOut
            ) revert UsageNotIncreasing(item.leaseId, item.enclave, settled.requests, usage.requests);
            uint64 grown = (usage.tokensIn - settled.tokensIn) + (usage.tokensOut - settled.tokensOut);
            _settled[item.leaseId][item.enclave] = usage;
            lease.tokensClaimed += grown;
            lease.lastSettledAt = uint40(block.timestamp);
            emit UsageSettled(
                item.leaseId,
                item.enclave,
                usage.tokensIn,
                usage.tokensOut,
                usage.requests,
                lease.tokensClaimed
            );
        }
    }

    /// @inheritdoc ILeaseMarket
    function proveOverClaim(uint256 leaseId, address enclave, Usage calldata usage, bytes calldata signature) external {
        Lease storage lease = _existing(leaseId);
        if (msg.sender != lease.customer) revert NotLeaseCustomer(leaseId, msg.sender);
        if (lease.finalized) revert LeaseAlreadyFinalized(leaseId);
        _checkSigned(leaseId, lease, enclave, usage, signature);
        Usage storage settled = _settled[leaseId][enclave];
        if (
            usage.requests < settled.requests ||
            (usage.tokensIn >= settled.tokensIn && usage.tokensOut >= settled.tokensOut)
        ) revert NotAnOverClaim(leaseId, enclave);
        lease.overClaimed = true;
        lease.lastSettledAt = uint40(block.timestamp);
        if (lease.closedAt == 0 && block.timestamp < lease.endsAt) {
            lease.closedAt = uint40(block.timestamp);
            emit LeaseClosed(leaseId, lease.closedAt);
        }
        emit OverClaimProven(leaseId, enclave, usage.tokensIn, usage.tokensOut, usage.requests);
    }

    /// @inheritdoc ILeaseMarket
    function closeLease(uint256 leaseId) external {
        Lease storage lease = _existing(leaseId);
        if (msg.sender != lease.customer) revert NotLeaseCustomer(leaseId, msg.sender);
        uint40 endedAt = _endOf(lease);
        if (block.timestamp >= endedAt) revert LeaseAlreadyEnded(leaseId, endedAt);
        lease.closedAt = uint40(block.timestamp);
        emit LeaseClosed(leaseId, lease.closedAt);
    }

    /// @inheritdoc ILeaseMarket
    function finalizeLease(uint256 leaseId) external {
        Lease storage lease = _existing(leaseId);
        if (lease.finalized) revert LeaseAlreadyFinalized(leaseId);
        uint40 at = _finalizableAt(lease);
        if (at == 0 || block.timestamp < at) revert LeaseNotFinalizable(leaseId, at);
        _finalize(leaseId, lease);
    }

    /// @inheritdoc ILeaseMarket
    function withdraw() external nonReentrant {
        uint256 amount = _balances[msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        _balances[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
        paymentToken.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc ILeaseMarket
    function getLease(uint256 leaseId) external view returns (Lease memory) {
        return _leases[leaseId];
    }

    /// @inheritdoc ILeaseMarket
    function settledUsage(uint256 leaseId, address enclave) external view returns (Usage memory) {
        return _settled[leaseId][enclave];
    }

    /// @inheritdoc ILeaseMarket
    function balanceOf(address account) external view returns (uint256) {
        return _balances[account];
    }

    /// @inheritdoc ILeaseMarket
    function finalizableAt(uint256 leaseId) external view returns (uint40) {
        return _finalizableAt(_existing(leaseId));
    }

    /// @inheritdoc ILeaseMarket
    function leaseCount() external view returns (uint256) {
        return _leaseCount;
    }

    /// @inheritdoc ILeaseMarket
    function setLeaseEndpoint(string calldata url) external {
        if (bytes(url).length > MAX_ENDPOINT_LENGTH)
            revert LeaseEndpointTooLong(bytes(url).length, MAX_ENDPOINT_LENGTH);
        _leaseEndpoints[msg.sender] = url;
        emit LeaseEndpointSet(msg.sender, url);
    }

    /// @inheritdoc ILeaseMarket
    function leaseEndpointOf(address provider) external view returns (string memory) {
        return _leaseEndpoints[provider];
    }

    /// @notice The EIP-712 domain separator enclaves sign usage under.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @dev The one place escrow leaves a lease: time used to the provider, tokens to the vendor, the rest back.
    function _finalize(uint256 leaseId, Lease storage lease) private {
        lease.finalized = true;
        uint256 providerPaid;
        uint256 vendorPaid;
        if (!lease.overClaimed) {
            providerPaid = _timeCost(lease.pricePerHour, _endOf(lease) - lease.startsAt);
            vendorPaid = _tokenCost(
                lease.pricePerThousandTokens,
                uint64(Math.min(lease.tokensClaimed, lease.maxTokens))
            );
        }
        uint256 refund = lease.escrow - providerPaid - vendorPaid;
        _balances[lease.provider] += providerPaid;
        _balances[lease.solutionVendor] += vendorPaid;
        _balances[lease.customer] += refund;
        emit LeaseFinalized(leaseId, providerPaid, vendorPaid, refund);
    }

    function _checkSigned(
        uint256 leaseId,
        Lease storage lease,
        address enclave,
        Usage calldata usage,
        bytes calldata signature
    ) private view {
        address provider = lease.provider;
        IEnclaveRegistry.Enclave memory record = registry.getEnclave(enclave);
        if (record.provider != provider || record.status == IEnclaveRegistry.EnclaveStatus.None)
            revert EnclaveNotOfProvider(enclave, provider);
        bytes32 digest = _hashTypedDataV4(
            keccak256(
                abi.encode(USAGE_TYPEHASH, leaseId, lease.customer, usage.tokensIn, usage.tokensOut, usage.requests)
            )
        );
        (address recovered, , ) = ECDSA.tryRecover(digest, signature);
        if (recovered != enclave) revert UsageSignatureInvalid(leaseId, enclave, recovered);
    }

    function _existing(uint256 leaseId) private view returns (Lease storage lease) {
        lease = _leases[leaseId];
        if (lease.customer == address(0)) revert LeaseNotFound(leaseId);
    }

    function _endOf(Lease storage lease) private view returns (uint40) {
        return lease.closedAt != 0 ? lease.closedAt : lease.endsAt;
    }

    function _finalizableAt(Lease storage lease) private view returns (uint40) {
        uint40 endedAt = _endOf(lease);
        if (lease.closedAt == 0 && block.timestamp < endedAt) return 0;
        uint40 last = lease.lastSettledAt > endedAt ? lease.lastSettledAt : endedAt;
        return last + settlementWindow;
    }

    function _timeCost(uint96 pricePerHour, uint40 seconds_) private pure returns (uint256) {
        return Math.ceilDiv(uint256(pricePerHour) * seconds_, 3600);
    }

    function _tokenCost(uint96 pricePerThousand, uint64 tokens) private pure returns (uint256) {
        return Math.ceilDiv(uint256(pricePerThousand) * tokens, 1000);
    }
}
