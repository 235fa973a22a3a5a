// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ICatalog} from "../interfaces/ICatalog.sol";
import {IEnclaveFeed} from "../interfaces/IEnclaveFeed.sol";
import {IEnclaveRegistry} from "../interfaces/IEnclaveRegistry.sol";
import {IOfferFeed} from "../interfaces/IOfferFeed.sol";
import {IOrders} from "../interfaces/IOrders.sol";
import {OrderExits} from "./OrderExits.sol";
import {OrderLifecycle} from "./OrderLifecycle.sol";

/**
 * @title BoccMarket
 * @notice The order market on one chain: accounts, provider stakes, TEE offers and orders with
 * escrow. This contract serves the hot path of every order (create, accept, receipt or signed
 * failure); the other ways an order ends and the challenge of a withheld output are served by
 * {OrderExits}, deployed by this constructor and reached through `fallback` by delegatecall,
 * on the same storage: call them on this address. It judges which enclaves may run orders from
 * the copy the {IEnclaveRegistry} pushes to it ({IEnclaveFeed}), and what vendors' offers cost
 * from the copy the {ICatalog} pushes ({IOfferFeed}) or, where that copy does not decide, from
 * the catalog itself. No account can move
 * escrow, balances or stakes outside these rules: there is no owner, no pause and no upgrade.
 */
contract BoccMarket is OrderLifecycle, IOrders {
    using SafeCast for uint256;

    /// @notice Serves {IOrderExits} for this market, on this market's storage.
    address public immutable exits;

    /// @notice A configuration value is out of range; `reason` says which rule it breaks.
    error InvalidConfiguration(string reason);

    constructor(Config memory config) OrderLifecycle(config) {
        if (
            address(config.paymentToken) == address(0) ||
            address(config.registry) == address(0) ||
            address(config.catalog) == address(0) ||
            config.feeReceiver == address(0)
        ) revert InvalidConfiguration("zero address");
        if (config.feeBps > 10_000 || config.slashBps > 10_000) revert InvalidConfiguration("basis points over 10000");
        if (config.handBackBps > config.slashBps) revert InvalidConfiguration("hand-back fee above the slash");
        if (config.challengeWindow == 0) revert InvalidConfiguration("zero challenge window");
        // A provider must not be able to leave before every refund and challenge of its orders is possible.
        if (
            uint256(config.unstakeDelay) <=
            uint256(config.maxOrderDuration) + config.challengeWindow + config.responseWindow
        ) revert InvalidConfiguration("unstake delay not longer than an order and its challenge");
        exits = address(new OrderExits(config));
    }

    /// @dev Every {IOrderExits} function runs here, in this market's storage.
    fallback() external {
        address target = exits;
        assembly ("memory-safe") {
            calldatacopy(0, 0, calldatasize())
            let success := delegatecall(gas(), target, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            switch success
            case 0 {
                revert(0, returndatasize())
            }
            default {
                return(0, returndatasize())
            }
        }
    }

    /// @inheritdoc IOrders
    function createOrder(OrderParams calldata params) external nonReentrant returns (uint256 orderId) {
        if (
            params.acceptBy <= block.timestamp ||
            params.deadline < uint256(params.acceptBy) + minDeliveryWindow ||
            params.deadline > block.timestamp + maxOrderDuration
        ) revert InvalidDeadlines(params.acceptBy, params.deadline);
        TeeOffer storage tee = _teeOffers[params.teeOfferId];
        address provider = tee.provider;
        if (provider == address(0)) revert TeeOfferNotFound(params.teeOfferId);
        if (!tee.active) revert TeeOfferNotActive(params.teeOfferId);
        IEnclaveRegistry.Hardware offerHardware = tee.hardware;
        IEnclaveFeed.EnclaveAccess memory enclave = _enclaveIfUsable(params.enclave);
        if (enclave.provider == address(0)) revert EnclaveNotUsable(params.enclave);
        if (enclave.provider != provider) revert EnclaveNotOfOfferProvider(params.enclave, provider);
        IEnclaveRegistry.Hardware hardware = enclave.hardware;
        if (hardware != offerHardware) {
            revert EnclaveHardwareMismatch(params.enclave, uint8(hardware), uint8(offerHardware));
        }
        if (params.deadline >= enclave.expiresAt) revert DeadlineAfterEnclaveExpiry(params.deadline, enclave.expiresAt);

        OrderTerms memory terms;
        terms.customer = msg.sender;
        terms.enclave = params.enclave;
        terms.teeOfferId = params.teeOfferId;
        terms.solutionOfferId = params.solutionOfferId;
        terms.dataOfferId = params.dataOfferId;
        terms.acceptBy = params.acceptBy;
        terms.deadline = params.deadline;
        terms.teePrice = tee.price;
        terms.requestHash = params.requestHash;
        terms.inputHash = params.inputHash;
        terms.solutionHash = params.solutionHash;
        if (params.solutionOfferId != 0 || params.dataOfferId != 0) _quote(params, hardware, terms);
        uint256 prices = uint256(terms.teePrice) + terms.solutionPrice + terms.dataPrice;
        terms.fee = ((prices * feeBps) / 10_000).toUint96();
        uint256 total = prices + terms.fee;
        if (total > params.maxPayment) revert PaymentAboveMaximum(total, params.maxPayment);

        // The terms are static, so in memory they are their own encoding: keccak256(abi.encode(terms)).
        assembly ("memory-safe") {
            orderId := keccak256(terms, 544)
        }
        if (_orders[orderId].status != OrderStatus.None) revert OrderAlreadyExists(orderId);
        _orders[orderId] = OrderState({status: OrderStatus.Created, since: 0, delivery: bytes26(0)});
        // emit OrderCreated(orderId, msg.sender, params.teeOfferId, terms), logging the terms from
        // where they are: in memory a static struct is already its ABI encoding.
        bytes32 topic = OrderCreated.selector;
        uint256 teeOfferId = params.teeOfferId;
        assembly ("memory-safe") {
            log4(terms, 544, topic, orderId, caller(), teeOfferId)
        }
        _collect(msg.sender, total);
    }
    /// @inheritdoc IOrders
    function acceptOrder(OrderTerms calldata terms) external {
        uint256 orderId = _orderIdOf(terms);
        TeeOffer storage tee = _teeOffers[terms.teeOfferId];
        address provider = tee.provider;
        (uint256 activeStake, uint256 unlocked) = _stakeOf(provider);
        uint256 exposure = _exposure(terms);
        bytes memory refused = _acceptError(
            orderId,
            terms,
            provider,
            tee.hardware,
            tee.activeOrders >= tee.capacity,
            activeStake,
            unlocked,
            exposure
        );
        if (refused.length != 0) _revertWith(refused);
        _transition(orderId, tee, provider, exposure);
        emit OrderAccepted(orderId);
    }
    /// @inheritdoc IOrders
    function acceptOrders(OrderTerms[] calldata terms) external {
        AcceptRun memory run;
        for (uint256 i; i < terms.length; ++i) {
            OrderTerms calldata order = terms[i];
            uint256 orderId = _orderIdOf(order);
            // Offer ids start at 1: the first order starts a run.
            if (order.teeOfferId != run.offerId) _startAcceptRun(run, order.teeOfferId);
            uint256 exposure = _exposure(order);
            bytes memory refused = _acceptError(
                orderId,
                order,
                run.provider,
                run.hardware,
                run.capacityLeft == 0,
                run.activeStake,
                run.unlocked,
                exposure
            );
            if (refused.length != 0) {
                _refuse(false, orderId, refused);
                continue;
            }
            _transition(run, orderId, exposure);
            emit OrderAccepted(orderId);
        }
        _settleAcceptRun(run);
    }
    /// @inheritdoc IOrders
    function submitReceipt(
        OrderTerms calldata terms,
        bytes32 outputHash,
        bytes calldata wrappedResultKey,
        bytes calldata signature
    ) external {
        Batch memory single;
        _complete(single, terms, outputHash, wrappedResultKey, signature, true);
    }
    /// @inheritdoc IOrders
    function submitReceipts(ReceiptSubmission[] calldata receipts) external {
        Batch memory batch = _newBatch();
        for (uint256 i; i < receipts.length; ++i) {
            ReceiptSubmission calldata receipt = receipts[i];
            _complete(batch, receipt.terms, receipt.outputHash, receipt.wrappedResultKey, receipt.signature, false);
        }
        _payOut(batch);
        _settleHeldOffer(batch);
    }
    /// @inheritdoc IOrders
    function submitFailure(OrderTerms calldata terms, FailureReason reason, bytes calldata signature) external {
        Batch memory single;
        _fail(single, terms, reason, signature, true);
    }
    /// @inheritdoc IOrders
    function submitFailures(FailureSubmission[] calldata failures) external {
        Batch memory batch;
        for (uint256 i; i < failures.length; ++i) {
            FailureSubmission calldata failure = failures[i];
            _fail(batch, failure.terms, failure.reason, failure.signature, false);
        }
    }
    /// @inheritdoc IOrders
    function getOrder(uint256 orderId) external view returns (OrderState memory) {
        return _orders[orderId];
    }
    /// @inheritdoc IOrders
    function orderIdOf(OrderTerms calldata terms) external pure returns (uint256) {
        return _orderIdOf(terms);
    }
    /**
     * @dev Fills in what the order pays the vendors: from the catalog's copy ({IOfferFeed}) when
     * the copy allows the order as it is, else from the catalog itself, which refuses it with
     * its reason (or prices what the copy leaves out: data offers, restricted offers).
     */
    function _quote(
        OrderParams calldata params,
        IEnclaveRegistry.Hardware hardware,
        OrderTerms memory terms
    ) private view {
        if (params.dataOfferId == 0) {
            IOfferFeed.SolutionQuote memory copy = _solutionQuotes[
                _solutionQuoteKey(params.solutionOfferId, params.solutionHash, uint8(hardware))
            ];
            if (copy.vendor != address(0)) {
                terms.solutionVendor = copy.vendor;
                terms.solutionPrice = copy.price;
                return;
            }
        }
        ICatalog.Quote memory quoted = catalog.quote(
            params.solutionOfferId,
            params.dataOfferId,
            params.teeOfferId,
            hardware,
            _enclaveMeasurements[params.enclave],
            params.solutionHash
        );
        terms.solutionVendor = quoted.solutionVendor;
        terms.solutionPrice = quoted.solutionPrice;
        terms.dataVendor = quoted.dataVendor;
        terms.dataPrice = quoted.dataPrice;
        terms.dataHash = quoted.dataHash;
    }
    /**
     * @dev Why the provider cannot accept the order now, given what was read of its TEE offer and
     * the provider's stake (the offer's `provider`, `hardware`, whether it is at capacity, and
     * {_stakeOf}); empty when it can.
     */
    function _acceptError(
        uint256 orderId,
        OrderTerms calldata terms,
        address provider,
        IEnclaveRegistry.Hardware hardware,
        bool atCapacity,
        uint256 activeStake,
        uint256 unlocked,
        uint256 exposure
    ) private view returns (bytes memory) {
        OrderStatus status = _orders[orderId].status;
        if (status != OrderStatus.Created) return _statusError(orderId, status);
        if (msg.sender != provider) return abi.encodeWithSelector(NotOrderProvider.selector, orderId, msg.sender);
        if (block.timestamp > terms.acceptBy) {
            return abi.encodeWithSelector(AcceptDeadlinePassed.selector, orderId, terms.acceptBy);
        }
        // A TDX enclave's platform may have fallen below the accepted TCB since the order was made
        // (the offer's hardware is the enclave's, checked at creation); other kinds are judged at delivery.
        if (hardware == IEnclaveRegistry.Hardware.Tdx && _enclaveIfUsable(terms.enclave).provider == address(0)) {
            return abi.encodeWithSelector(EnclaveNotUsable.selector, terms.enclave);
        }
        if (atCapacity) return abi.encodeWithSelector(OfferAtCapacity.selector, terms.teeOfferId);
        return _lockError(provider, activeStake, unlocked, exposure);
    }
    function _complete(
        Batch memory batch,
        OrderTerms calldata terms,
        bytes32 outputHash,
        bytes calldata wrappedResultKey,
        bytes calldata signature,
        bool strict
    ) private {
        uint256 orderId = _orderIdOf(terms);
        bytes32 wrappedResultKeyHash = keccak256(wrappedResultKey);
        bytes memory refused = _enclaveStatementError(
            batch,
            orderId,
            terms,
            _receiptHash(orderId, outputHash, wrappedResultKeyHash),
            signature
        );
        if (refused.length != 0) return _refuse(strict, orderId, refused);
        _transition(
            batch,
            orderId,
            terms,
            OrderStatus.Accepted,
            OrderStatus.Completed,
            uint40(block.timestamp),
            _deliveryOf(outputHash, wrappedResultKeyHash)
        );
        emit OrderCompleted(orderId, terms.enclave, outputHash, wrappedResultKey, signature);
        _creditPayouts(batch, terms);
    }
    function _fail(
        Batch memory batch,
        OrderTerms calldata terms,
        FailureReason reason,
        bytes calldata signature,
        bool strict
    ) private {
        uint256 orderId = _orderIdOf(terms);
        if (reason == FailureReason.None) {
            return _refuse(strict, orderId, abi.encodeWithSelector(InvalidFailureReason.selector, uint8(reason)));
        }
        bytes memory refused = _enclaveStatementError(
            batch,
            orderId,
            terms,
            keccak256(abi.encode(FAILURE_TYPEHASH, orderId, reason)),
            signature
        );
        if (refused.length != 0) return _refuse(strict, orderId, refused);
        _transition(orderId, terms, OrderStatus.Accepted, OrderStatus.Failed, 0);
        emit OrderFailed(orderId, terms.enclave, reason, signature);
        _credit(terms.customer, _total(terms));
    }
}
