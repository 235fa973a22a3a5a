// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IBoccMarket} from "./IBoccMarket.sol";

/**
 * @title BoccMarket
 * @notice Sells TEE compute: providers register enclaves and offers; customers order with escrow;
 * the escrow goes to the provider only against a receipt signed by the order's enclave key over
 * exactly the order's hashes, and back to the customer if no receipt arrives before the deadline.
 * No account, not even the deployer, can move escrow any other way. Payouts are pull payments.
 */
contract BoccMarket is IBoccMarket, EIP712, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @dev Must match `receiptTypes` in src/protocol/receipt.ts.
    bytes32 public constant RECEIPT_TYPEHASH = keccak256(
        "Receipt(uint256 orderId,bytes32 requestHash,bytes32 inputHash,bytes32 solutionHash,bytes32 outputHash)"
    );

    /// @notice The ERC-20 token escrow and payouts are made in.
    IERC20 public immutable paymentToken;

    mapping(address enclave => Enclave) private _enclaves;
    mapping(uint256 offerId => Offer) private _offers;
    mapping(uint256 orderId => Order) private _orders;
    /// @notice Amount each account may withdraw (payouts and refunds).
    mapping(address account => uint256) public withdrawable;

    /// @notice Number of offers created; offer ids run from 1 to this.
    uint256 public offerCount;
    /// @notice Number of orders created; order ids run from 1 to this.
    uint256 public orderCount;

    constructor(IERC20 paymentToken_) EIP712("BOCC Market", "1") {
        paymentToken = paymentToken_;
    }

    /**
     * @notice Registers an enclave key run by the caller. The evidence (stored off-chain, addressed
     * by `evidenceHash`) binds `enclave` and `hpkePublicKey` in its report_data; customers verify it
     * against their policy before they order.
     * @param enclave The enclave's secp256k1 signing address.
     * @param hpkePublicKey The enclave's X25519 public key.
     * @param measurement The runtime measurement the evidence reports.
     * @param evidenceHash SHA-256 of the evidence.
     * @param freshness The freshness value in the evidence's report_data (a recent block hash).
     */
    function registerEnclave(
        address enclave,
        bytes32 hpkePublicKey,
        bytes32 measurement,
        bytes32 evidenceHash,
        bytes32 freshness
    ) external {
        if (enclave == address(0) || hpkePublicKey == bytes32(0)) revert InvalidEnclaveKey();
        if (_enclaves[enclave].provider != address(0)) revert EnclaveAlreadyRegistered(enclave);
        _enclaves[enclave] = Enclave({
            provider: msg.sender,
            active: true,
            hpkePublicKey: hpkePublicKey,
            measurement: measurement,
            evidenceHash: evidenceHash
        });
        emit EnclaveRegistered(enclave, msg.sender, hpkePublicKey, measurement, evidenceHash, freshness);
    }

    /**
     * @notice Revokes one of the caller's enclaves; it can take and complete no more orders.
     * Its open orders are refundable after their deadline.
     */
    function revokeEnclave(address enclave) external {
        Enclave storage record = _enclaves[enclave];
        if (record.provider != msg.sender) revert NotEnclaveProvider(msg.sender, record.provider);
        if (!record.active) revert EnclaveNotActive(enclave);
        record.active = false;
        emit EnclaveRevoked(enclave, msg.sender);
    }

    /**
     * @notice Creates a TEE compute offer of the caller at `price` per order.
     * @return offerId The new offer's id.
     */
    function createOffer(uint96 price) external returns (uint256 offerId) {
        offerId = ++offerCount;
        _offers[offerId] = Offer({provider: msg.sender, price: price, active: true});
        emit OfferCreated(offerId, msg.sender, price);
    }

    /// @notice Enables or disables one of the caller's offers for new orders.
    function setOfferActive(uint256 offerId, bool active) external {
        Offer storage offer = _offers[offerId];
        if (offer.provider == address(0)) revert OfferNotFound(offerId);
        if (offer.provider != msg.sender) revert NotOfferProvider(msg.sender, offer.provider);
        offer.active = active;
        emit OfferActiveSet(offerId, active);
    }

    /**
     * @notice Orders a job on `enclave` under `offerId` and escrows the offer's price from the caller
     * (who must have approved this contract for it).
     * @param requestHash SHA-256 of the order request blob.
     * @param inputHash SHA-256 of the input ciphertext.
     * @param solutionHash SHA-256 of the solution (model) bundle.
     * @param deadline Unix time after which, without a receipt, anyone may refund the order.
     * @return orderId The new order's id.
     */
    function createOrder(
        uint256 offerId,
        address enclave,
        bytes32 requestHash,
        bytes32 inputHash,
        bytes32 solutionHash,
        uint64 deadline
    ) external nonReentrant returns (uint256 orderId) {
        Offer memory offer = _offers[offerId];
        if (offer.provider == address(0)) revert OfferNotFound(offerId);
        if (!offer.active) revert OfferNotActive(offerId);
        Enclave storage record = _enclaves[enclave];
        if (!record.active) revert EnclaveNotActive(enclave);
        if (record.provider != offer.provider) revert EnclaveNotOfOfferProvider(enclave, offer.provider);
        if (deadline <= block.timestamp) revert DeadlineNotInFuture(deadline, block.timestamp);

        orderId = ++orderCount;
        _orders[orderId] = Order({
            customer: msg.sender,
            offerId: uint64(offerId),
            deadline: deadline,
            status: OrderStatus.Created,
            enclave: enclave,
            escrow: offer.price,
            requestHash: requestHash,
            inputHash: inputHash,
            solutionHash: solutionHash,
            outputHash: bytes32(0)
        });
        emit OrderCreated(
            orderId, msg.sender, offerId, enclave, requestHash, inputHash, solutionHash, offer.price, deadline
        );
        paymentToken.safeTransferFrom(msg.sender, address(this), offer.price);
    }

    /**
     * @notice Completes an order with the enclave's receipt and credits the escrow to the provider.
     * Anyone may submit it: what counts is the signature, which must be the order's (still active)
     * enclave's EIP-712 signature over the order's id and hashes and `outputHash`.
     * @param outputHash SHA-256 of the output ciphertext.
     * @param signature The enclave's 65-byte signature of the Receipt.
     */
    function submitReceipt(uint256 orderId, bytes32 outputHash, bytes calldata signature) external {
        Order storage order = _orders[orderId];
        if (order.status == OrderStatus.None) revert OrderNotFound(orderId);
        if (order.status != OrderStatus.Created) revert OrderNotOpen(orderId, order.status);
        if (block.timestamp > order.deadline) revert DeadlinePassed(orderId, order.deadline);
        Enclave storage record = _enclaves[order.enclave];
        if (!record.active) revert EnclaveNotActive(order.enclave);

        bytes32 digest = _hashTypedDataV4(
            keccak256(
                abi.encode(
                    RECEIPT_TYPEHASH, orderId, order.requestHash, order.inputHash, order.solutionHash, outputHash
                )
            )
        );
        (address recovered, ECDSA.RecoverError recoverError,) = ECDSA.tryRecover(digest, signature);
        if (recoverError != ECDSA.RecoverError.NoError || recovered != order.enclave) {
            revert InvalidReceiptSigner(recovered, order.enclave);
        }

        order.status = OrderStatus.Completed;
        order.outputHash = outputHash;
        withdrawable[record.provider] += order.escrow;
        emit OrderCompleted(orderId, order.enclave, outputHash, signature);
    }

    /**
     * @notice Refunds an order that got no receipt by its deadline; anyone may trigger it, the
     * escrow is credited to the customer.
     */
    function refund(uint256 orderId) external {
        Order storage order = _orders[orderId];
        if (order.status == OrderStatus.None) revert OrderNotFound(orderId);
        if (order.status != OrderStatus.Created) revert OrderNotOpen(orderId, order.status);
        if (block.timestamp <= order.deadline) revert DeadlineNotPassed(orderId, order.deadline);
        order.status = OrderStatus.Refunded;
        withdrawable[order.customer] += order.escrow;
        emit OrderRefunded(orderId, order.customer, order.escrow);
    }

    /// @notice Transfers everything credited to the caller (payouts and refunds) to the caller.
    function withdraw() external nonReentrant {
        uint256 amount = withdrawable[msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        withdrawable[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
        paymentToken.safeTransfer(msg.sender, amount);
    }

    /// @notice The enclave record of `enclave` (provider zero if unknown).
    function getEnclave(address enclave) external view returns (Enclave memory) {
        return _enclaves[enclave];
    }

    /// @notice The offer `offerId` (provider zero if unknown).
    function getOffer(uint256 offerId) external view returns (Offer memory) {
        return _offers[offerId];
    }

    /// @notice The order `orderId` (status None if unknown).
    function getOrder(uint256 orderId) external view returns (Order memory) {
        return _orders[orderId];
    }

    /// @notice The EIP-712 domain separator receipts are signed under.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }
}
