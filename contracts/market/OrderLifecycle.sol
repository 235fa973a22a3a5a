// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ICatalog} from "../interfaces/ICatalog.sol";
import {IEnclaveFeed} from "../interfaces/IEnclaveFeed.sol";
import {IEnclaveRegistry} from "../interfaces/IEnclaveRegistry.sol";
import {IOfferFeed} from "../interfaces/IOfferFeed.sol";
import {IOrderTypes} from "../interfaces/IOrderTypes.sol";
import {Accounts} from "./Accounts.sol";
import {ProviderStakes} from "./ProviderStakes.sol";
import {TeeOffers} from "./TeeOffers.sol";

/**
 * @title OrderLifecycle
 * @notice The state and rules every order call shares: the market's configuration, the orders'
 * states, and `_transition`, the one place an order's state, its TEE offer's count of active
 * orders and its stake lock change (a batch holds its orders' counts and locks there, and
 * `_settleAcceptRun` or `_settleHeldOffer` writes them, once per run of orders on one offer). Rules
 * that a batch may skip an order for are checked by functions that return the custom error
 * instead of reverting (`_refuse`), so single and batch calls share them. {BoccMarket} and {OrderExits} both build on it, with the same storage.
 */
abstract contract OrderLifecycle is IOrderTypes, ProviderStakes, TeeOffers, EIP712 {
    using SafeCast for uint256;

    /// @notice The market's configuration, fixed at deployment.
    struct Config {
        IERC20 paymentToken;
        IEnclaveRegistry registry;
        ICatalog catalog;
        address feeReceiver;
        uint16 feeBps;
        uint16 slashBps;
        uint16 handBackBps;
        uint256 minStake;
        uint40 unstakeDelay;
        uint40 maxOrderDuration;
        uint40 minDeliveryWindow;
        /// Also the payout epoch: payouts mature two epochs after delivery.
        uint40 challengeWindow;
        uint40 responseWindow;
        uint256 challengeBond;
    }

    /// @dev Must match `receiptTypes` in src/protocol/receipt.ts.
    bytes32 public constant RECEIPT_TYPEHASH = keccak256(
        "Receipt(uint256 orderId,bytes32 outputHash,bytes wrappedResultKey)"
    );
    /// @dev Must match `failureTypes` in src/protocol/receipt.ts.
    bytes32 public constant FAILURE_TYPEHASH = keccak256("Failure(uint256 orderId,uint8 reason)");

    /// @notice Answers which enclaves may run orders.
    IEnclaveRegistry public immutable registry;
    /// @notice Solution and data offers.
    ICatalog public immutable catalog;
    /// @notice Receives the protocol fee.
    address public immutable feeReceiver;
    /// @notice Protocol fee, in basis points of the order's prices.
    uint16 public immutable feeBps;
    /// @notice Share of an order's value the provider loses for a missed deadline or a withheld output, in basis points; also what accepting locks.
    uint16 public immutable slashBps;
    /// @notice Share of an order's value the provider pays the customer to hand an accepted order back, in basis points.
    uint16 public immutable handBackBps;
    /// @notice Longest time from creation to deadline.
    uint40 public immutable maxOrderDuration;
    /// @notice Shortest time between `acceptBy` and `deadline`.
    uint40 public immutable minDeliveryWindow;
    /// @notice Time a provider has to publish a challenged output on-chain.
    uint40 public immutable responseWindow;
    /// @notice What a customer posts to challenge a delivery; it goes to the provider if the provider answers.
    uint256 public immutable challengeBond;

    /// @dev Payees a batch call gathers before crediting: the maturing payouts it credits at once.
    uint256 private constant _PAYEES_PER_BATCH = 8;

    /**
     * @dev What one call learns while it serves its orders, kept in memory so that a batch pays
     * once for what repeats: the enclave last found usable (the answer cannot change within the
     * call: nothing it calls changes the registry or the market's copy of it), what its completed
     * orders give back and pay per run of orders on one TEE offer (capacity count, stake lock,
     * the provider's payout), written once per run by {_settleHeldOffer}, the fees, credited once,
     * and the vendors' payouts, summed per vendor; {_payOut} credits those two. A single call
     * defers nothing and leaves `payees` empty: it writes counts, locks and payouts at once.
     */
    struct Batch {
        address usableEnclave;
        /// Capacity counts, stake locks and payouts wait in the batch, written by {_settleHeldOffer} and {_payOut}.
        bool defers;
        /// The TEE offer (and its provider) whose count, lock and payout changes are held.
        uint32 heldOffer;
        address heldProvider;
        uint256 heldOrders;
        uint256 heldStake;
        /// The TEE prices of the held orders: what the held provider is paid.
        uint256 heldPayout;
        /// The protocol fees of every order the batch completed: what the fee receiver is paid.
        uint256 fees;
        /// Vendors (solution and data offers' owners) and what they are paid.
        uint256 payeeCount;
        address[] payees;
        uint256[] amounts;
    }

    /**
     * @dev What accepting orders on one TEE offer needs of it and of its provider's stake, read
     * once per run of consecutive orders on that offer ({_startAcceptRun}): nothing an accepting
     * call does changes them but its own acceptances, which `run` counts until
     * {_settleAcceptRun} writes them.
     */
    struct AcceptRun {
        uint32 offerId;
        address provider;
        IEnclaveRegistry.Hardware hardware;
        /// Units of capacity left when read, less the orders taken since.
        uint256 capacityLeft;
        /// The provider's active stake, and what no order had locked when read, less what was taken since.
        uint256 activeStake;
        uint256 unlocked;
        /// The orders taken and the stake they lock, not written yet.
        uint256 orders;
        uint256 stake;
    }

    mapping(uint256 orderId => OrderState) internal _orders;
    /// @dev The registry's enclaves as it pushes them ({IEnclaveFeed}); changed only by {EnclaveFeed}.
    mapping(address enclave => IEnclaveFeed.EnclaveAccess) internal _enclaveAccess;
    mapping(address enclave => bytes32 measurement) internal _enclaveMeasurements;
    /// @dev Bit `i % 256` of word `i / 256`: the measurement at index `i` of the registry's log was removed.
    mapping(uint256 word => uint256 bits) internal _barredMeasurements;
    /// @dev The catalog's plain solution offers as it pushes them ({IOfferFeed}), by {_solutionQuoteKey}; changed only by {OfferFeed}.
    mapping(bytes32 offerSolutionAndHardware => IOfferFeed.SolutionQuote) internal _solutionQuotes;

    constructor(
        Config memory config
    )
        EIP712("BOCC", "2")
        Accounts(config.paymentToken, config.challengeWindow)
        ProviderStakes(config.minStake, config.unstakeDelay)
    {
        registry = config.registry;
        catalog = config.catalog;
        feeReceiver = config.feeReceiver;
        feeBps = config.feeBps;
        slashBps = config.slashBps;
        handBackBps = config.handBackBps;
        maxOrderDuration = config.maxOrderDuration;
        minDeliveryWindow = config.minDeliveryWindow;
        responseWindow = config.responseWindow;
        challengeBond = config.challengeBond;
    }

    /**
     * @dev `uint256(keccak256(abi.encode(terms)))`, hashed straight from calldata: the terms are
     * static, so their calldata is their encoding. Terms with dirty padding hash to an id no order
     * has (its terms were encoded clean), and reading any of their fields reverts.
     */
    function _orderIdOf(OrderTerms calldata terms) internal pure returns (uint256 orderId) {
        assembly ("memory-safe") {
            let encoded := mload(0x40)
            calldatacopy(encoded, terms, 544)
            orderId := keccak256(encoded, 544)
        }
    }

    /**
     * @dev The one place an order's state changes, and with it its TEE offer's count of active
     * orders and the provider's stake lock: entering Accepted takes a unit of capacity and locks
     * the order's exposure; leaving it gives both back.
     */
    function _transition(
        uint256 orderId,
        OrderTerms calldata terms,
        OrderStatus from,
        OrderStatus to,
        uint40 since
    ) internal {
        OrderState storage state = _orders[orderId];
        // One read and one write of the slot, keeping `delivery` (field by field, the pipeline
        // stores status and since apart). {OrderState}: status in the lowest byte, since above it.
        assembly ("memory-safe") {
            let kept := and(sload(state.slot), not(0xffffffffffff))
            sstore(state.slot, or(kept, or(to, shl(8, since))))
        }
        _moveCapacityAndLock(terms, from, to);
    }
    /**
     * @dev {_transition} from Created to Accepted, for {BoccMarket-acceptOrder}, with what its
     * checks read: the order's TEE offer, its provider and the order's exposure. A created order's
     * state is its status alone, so the write needs no read.
     */
    function _transition(uint256 orderId, TeeOffer storage tee, address provider, uint256 exposure) internal {
        _orders[orderId] = OrderState({status: OrderStatus.Accepted, since: 0, delivery: bytes26(0)});
        // Checked: activeOrders < capacity.
        unchecked {
            ++tee.activeOrders;
        }
        _lock(provider, exposure);
    }
    /**
     * @dev {_transition} from Created to Accepted, for {BoccMarket-acceptOrders}, whose checks
     * read what `run` keeps: the order takes a unit of the offer's capacity and locks its
     * exposure, held in `run` until {_settleAcceptRun} writes them, once per run of orders on one
     * offer.
     */
    function _transition(AcceptRun memory run, uint256 orderId, uint256 exposure) internal {
        _orders[orderId] = OrderState({status: OrderStatus.Accepted, since: 0, delivery: bytes26(0)});
        // The checks found a unit of capacity left and exposure <= unlocked.
        unchecked {
            run.capacityLeft -= 1;
            run.unlocked -= exposure;
        }
        run.orders += 1;
        run.stake += exposure;
    }
    /**
     * @dev Starts a run of accepted orders on TEE offer `offerId`, after writing what the last
     * run took: reads the offer and its provider's stake as they are then.
     */
    function _startAcceptRun(AcceptRun memory run, uint32 offerId) internal {
        _settleAcceptRun(run);
        TeeOffer storage tee = _teeOffers[offerId];
        (address provider, IEnclaveRegistry.Hardware hardware) = (tee.provider, tee.hardware);
        (uint256 capacity, uint256 active) = (tee.capacity, tee.activeOrders);
        run.offerId = offerId;
        run.provider = provider;
        run.hardware = hardware;
        run.capacityLeft = capacity > active ? capacity - active : 0;
        (run.activeStake, run.unlocked) = _stakeOf(provider);
    }
    /// @dev Takes the capacity and stake that the orders of `run` need; every batch that accepts ends with it.
    function _settleAcceptRun(AcceptRun memory run) internal {
        uint256 orders = run.orders;
        if (orders == 0) return;
        _teeOffers[run.offerId].activeOrders += orders.toUint32();
        _lock(run.provider, run.stake);
        run.orders = 0;
        run.stake = 0;
    }
    /**
     * @dev {_transition} that also sets what was delivered, in the same write, for a call serving
     * `batch`: a batch that defers them holds the capacity and lock changes until
     * {_settleHeldOffer}, which it calls before it returns; the order's offer is then the held one.
     */
    function _transition(
        Batch memory batch,
        uint256 orderId,
        OrderTerms calldata terms,
        OrderStatus from,
        OrderStatus to,
        uint40 since,
        bytes26 delivery
    ) internal {
        _orders[orderId] = OrderState({status: to, since: since, delivery: delivery});
        if (!batch.defers) return _moveCapacityAndLock(terms, from, to);
        uint32 offerId = terms.teeOfferId;
        if (offerId != batch.heldOffer) {
            _settleHeldOffer(batch);
            batch.heldOffer = offerId;
            batch.heldProvider = _teeOffers[offerId].provider;
        }
        // Only {BoccMarket-submitReceipts} defers: every order of it leaves Accepted.
        batch.heldOrders += 1;
        batch.heldStake += _exposure(terms);
    }
    /**
     * @dev Gives back the capacity and stake that the orders `batch` holds took when they were
     * accepted, and credits their provider what they pay it (maturing).
     */
    function _settleHeldOffer(Batch memory batch) internal {
        uint256 orders = batch.heldOrders;
        if (orders == 0) return;
        _teeOffers[batch.heldOffer].activeOrders -= orders.toUint32();
        _unlock(batch.heldProvider, batch.heldStake);
        if (batch.heldPayout != 0) _creditMaturing(batch.heldProvider, batch.heldPayout);
        batch.heldOrders = 0;
        batch.heldStake = 0;
        batch.heldPayout = 0;
    }
    /// @dev Only {BoccMarket-acceptOrder} and {BoccMarket-acceptOrders} enter Accepted, through their overloads.
    function _moveCapacityAndLock(OrderTerms calldata terms, OrderStatus from, OrderStatus to) private {
        if (from == OrderStatus.Accepted && to != OrderStatus.Accepted) {
            TeeOffer storage tee = _teeOffers[terms.teeOfferId];
            tee.activeOrders -= 1;
            _unlock(tee.provider, _exposure(terms));
        }
    }
    /**
     * @dev Credits an order's prices (maturing after the challenge window) to the TEE offer's
     * provider, the vendors and the fee receiver; a batch that defers adds them to what it pays
     * before it returns ({_settleHeldOffer}, {_payOut}), after {_transition} made the order's
     * offer the held one.
     */
    function _creditPayouts(Batch memory batch, OrderTerms calldata terms) internal {
        if (!batch.defers) {
            if (terms.teePrice != 0) _creditMaturing(_teeOffers[terms.teeOfferId].provider, terms.teePrice);
            if (terms.solutionPrice != 0) _creditMaturing(terms.solutionVendor, terms.solutionPrice);
            if (terms.dataPrice != 0) _creditMaturing(terms.dataVendor, terms.dataPrice);
            if (terms.fee != 0) _creditMaturing(feeReceiver, terms.fee);
            return;
        }
        batch.heldPayout += terms.teePrice;
        batch.fees += terms.fee;
        _addPayout(batch, terms.solutionVendor, terms.solutionPrice);
        _addPayout(batch, terms.dataVendor, terms.dataPrice);
    }
    /**
     * @dev A zero price is credited nowhere: a zero payout must hold no bucket that
     * {_clawBackPayouts} would then have to find. Past the batch's room for payees, a new payee
     * is credited at once, which bounds the search.
     */
    function _addPayout(Batch memory batch, address payee, uint256 amount) private {
        if (amount == 0) return;
        uint256 count = batch.payeeCount;
        for (uint256 i; i < count; ++i) {
            if (batch.payees[i] == payee) {
                batch.amounts[i] += amount;
                return;
            }
        }
        if (count == batch.payees.length) return _creditMaturing(payee, amount);
        batch.payees[count] = payee;
        batch.amounts[count] = amount;
        batch.payeeCount = count + 1;
    }
    /// @dev A batch that defers counts, locks and payouts, and gathers payouts for up to `_PAYEES_PER_BATCH` vendors.
    function _newBatch() internal pure returns (Batch memory batch) {
        batch.defers = true;
        batch.payees = new address[](_PAYEES_PER_BATCH);
        batch.amounts = new uint256[](_PAYEES_PER_BATCH);
    }
    /// @dev Credits the fees and the vendors' payouts `batch` gathered; every call that gathers some ends with it.
    function _payOut(Batch memory batch) internal {
        if (batch.fees != 0) _creditMaturing(feeReceiver, batch.fees);
        for (uint256 i; i < batch.payeeCount; ++i) {
            _creditMaturing(batch.payees[i], batch.amounts[i]);
        }
    }
    /// @dev Takes back what {_creditPayouts} credited in `epoch`.
    function _clawBackPayouts(OrderTerms calldata terms, uint32 epoch) internal {
        if (terms.teePrice != 0) _clawBack(_teeOffers[terms.teeOfferId].provider, terms.teePrice, epoch);
        if (terms.solutionPrice != 0) _clawBack(terms.solutionVendor, terms.solutionPrice, epoch);
        if (terms.dataPrice != 0) _clawBack(terms.dataVendor, terms.dataPrice, epoch);
        if (terms.fee != 0) _clawBack(feeReceiver, terms.fee, epoch);
    }
    /**
     * @dev What the market keeps of `enclave` while it can run orders; provider zero when it
     * cannot. The same rule as {IEnclaveRegistry-isEnclaveUsable}, judged from the registry's
     * pushes: registered and not revoked (revocation deletes the copy), not expired, its
     * measurement not removed; an enclave verified on-chain, whose TCB status moves with collateral
     * anyone may post, is judged by the registry itself.
     */
    function _enclaveIfUsable(address enclave) internal view returns (IEnclaveFeed.EnclaveAccess memory access) {
        access = _enclaveAccess[enclave];
        if (access.provider == address(0)) return access;
        // The registry's answer covers expiry and the measurement too.
        bool usable =
            access.tcbJudgedOnChain
                ? registry.isEnclaveUsable(enclave)
                : block.timestamp < access.expiresAt && !_isMeasurementBarred(access.measurementIndex);
        if (!usable) access.provider = address(0);
    }
    /// @dev Where {_solutionQuotes} keeps solution offer `offerId` selling `solutionHash` on hardware kind `kind`.
    function _solutionQuoteKey(uint32 offerId, bytes32 solutionHash, uint8 kind) internal pure returns (bytes32) {
        return keccak256(abi.encode(offerId, solutionHash, kind));
    }
    function _isMeasurementBarred(uint32 measurementIndex) internal view returns (bool) {
        return (_barredMeasurements[measurementIndex >> 8] >> (measurementIndex & 0xff)) & 1 == 1;
    }
    /**
     * @dev Why a statement (receipt or failure) by the order's enclave cannot end the order: the
     * order is not accepted, the deadline passed, the enclave cannot sign for orders now, or the
     * signature is not its. Empty when it can.
     */
    function _enclaveStatementError(
        Batch memory batch,
        uint256 orderId,
        OrderTerms calldata terms,
        bytes32 structHash,
        bytes calldata signature
    ) internal view returns (bytes memory) {
        OrderStatus status = _orders[orderId].status;
        if (status != OrderStatus.Accepted) return _statusError(orderId, status);
        if (block.timestamp > terms.deadline) {
            return abi.encodeWithSelector(DeadlinePassed.selector, orderId, terms.deadline);
        }
        address enclave = terms.enclave;
        if (enclave != batch.usableEnclave) {
            if (_enclaveIfUsable(enclave).provider == address(0)) {
                return abi.encodeWithSelector(EnclaveNotUsable.selector, enclave);
            }
            batch.usableEnclave = enclave;
        }
        return _signatureError(enclave, structHash, signature);
    }
    function _signatureError(
        address enclave,
        bytes32 structHash,
        bytes calldata signature
    ) internal view returns (bytes memory) {
        (address recovered, ECDSA.RecoverError recoverError, ) = ECDSA.tryRecoverCalldata(
            _hashTypedDataV4(structHash),
            signature
        );
        if (recoverError != ECDSA.RecoverError.NoError || recovered != enclave) {
            return abi.encodeWithSelector(InvalidEnclaveSignature.selector, recovered, enclave);
        }
        return "";
    }
    /**
     * @dev What a receipt delivered, as the order's state keeps it (see {OrderState}), from the
     * keccak256 of the wrapped result key (hashed once for this and {_receiptHash}).
     */
    function _deliveryOf(bytes32 outputHash, bytes32 wrappedResultKeyHash) internal pure returns (bytes26) {
        return bytes26(keccak256(abi.encode(outputHash, wrappedResultKeyHash)));
    }

    function _receiptHash(
        uint256 orderId,
        bytes32 outputHash,
        bytes32 wrappedResultKeyHash
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(RECEIPT_TYPEHASH, orderId, outputHash, wrappedResultKeyHash));
    }
    function _statusError(uint256 orderId, OrderStatus status) internal pure returns (bytes memory) {
        if (status == OrderStatus.None) return abi.encodeWithSelector(OrderNotFound.selector, orderId);
        return abi.encodeWithSelector(WrongOrderStatus.selector, orderId, status);
    }
    /// @dev Checks that the order with these terms exists and has status `expected`; returns its id.
    function _requireStatus(OrderTerms calldata terms, OrderStatus expected) internal view returns (uint256 orderId) {
        orderId = _orderIdOf(terms);
        OrderStatus status = _orders[orderId].status;
        if (status != expected) _revertWith(_statusError(orderId, status));
    }
    /// @dev A single call reverts with `reason`; a batch logs it and goes on with the next order.
    function _refuse(bool strict, uint256 orderId, bytes memory reason) internal {
        if (strict) _revertWith(reason);
        emit OrderSkipped(orderId, reason);
    }
    function _revertWith(bytes memory reason) internal pure {
        assembly ("memory-safe") {
            revert(add(reason, 32), mload(reason))
        }
    }
    /// @dev What the order could cost the provider: the stake its acceptance locks.
    function _exposure(OrderTerms calldata terms) internal view returns (uint256) {
        return (_total(terms) * slashBps) / 10_000;
    }
    function _total(OrderTerms calldata terms) internal pure returns (uint256) {
        return uint256(terms.teePrice) + terms.solutionPrice + terms.dataPrice + terms.fee;
    }
}
