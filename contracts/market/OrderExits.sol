// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IOrderExits} from "../interfaces/IOrderExits.sol";
import {EnclaveFeed} from "./EnclaveFeed.sol";
import {OfferFeed} from "./OfferFeed.sol";
import {OrderLifecycle} from "./OrderLifecycle.sol";

/**
 * @title OrderExits
 * @notice The ways an order ends other than by its enclave's statement (cancel, refund,
 * hand-back) and the challenge of a withheld output. Deployed by {BoccMarket}, which
 * delegates these calls here: the code runs on the market's storage, under its address. Called
 * directly, every function that changes state refuses. It also serves the registry's and the
 * catalog's pushes ({EnclaveFeed}, {OfferFeed}), which are rare and so kept off the market's own code.
 */
contract OrderExits is EnclaveFeed, OfferFeed, IOrderExits {
    address private immutable _self = address(this);

    constructor(Config memory config) OrderLifecycle(config) {}

    /// @dev Through the market, `address(this)` is the market's.
    function _requireMarketStorage() internal view override {
        if (address(this) == _self) revert NotThroughMarket();
    }

    /// @inheritdoc IOrderExits
    function handBackOrder(OrderTerms calldata terms) external onlyMarketStorage {
        uint256 orderId = _requireStatus(terms, OrderStatus.Accepted);
        address provider = _teeOffers[terms.teeOfferId].provider;
        if (msg.sender != provider) revert NotOrderProvider(orderId, msg.sender);
        if (block.timestamp > terms.deadline) revert DeadlinePassed(orderId, terms.deadline);
        _transition(orderId, terms, OrderStatus.Accepted, OrderStatus.HandedBack, 0);
        uint256 total = _total(terms);
        uint256 fee = _slash(provider, (total * handBackBps) / 10_000, orderId, terms.customer);
        emit OrderHandedBack(orderId, fee);
        _credit(terms.customer, total);
    }
    /// @inheritdoc IOrderExits
    function cancelOrder(OrderTerms calldata terms) external onlyMarketStorage {
        uint256 orderId = _requireStatus(terms, OrderStatus.Created);
        if (msg.sender != terms.customer) revert NotOrderCustomer(orderId, msg.sender);
        _transition(orderId, terms, OrderStatus.Created, OrderStatus.Cancelled, 0);
        emit OrderCancelled(orderId);
        _credit(terms.customer, _total(terms));
    }
    /// @inheritdoc IOrderExits
    function refundOrder(OrderTerms calldata terms) external onlyMarketStorage {
        uint256 orderId = _orderIdOf(terms);
        OrderState memory state = _orders[orderId];
        uint256 total = _total(terms);
        uint256 refund = total;
        uint256 slashed;
        if (state.status == OrderStatus.Created) {
            if (block.timestamp <= terms.acceptBy) revert RefundNotYetDue(orderId, terms.acceptBy);
            _transition(orderId, terms, OrderStatus.Created, OrderStatus.Refunded, 0);
        } else if (state.status == OrderStatus.Accepted) {
            if (block.timestamp <= terms.deadline) revert RefundNotYetDue(orderId, terms.deadline);
            _transition(orderId, terms, OrderStatus.Accepted, OrderStatus.Refunded, 0);
            // Judged by what held at the deadline: a later removal cannot waive the slash.
            if (!registry.isExcusedAt(terms.enclave, terms.deadline)) {
                slashed = _slash(
                    _teeOffers[terms.teeOfferId].provider,
                    (total * slashBps) / 10_000,
                    orderId,
                    terms.customer
                );
            }
        } else if (state.status == OrderStatus.Challenged) {
            if (block.timestamp <= state.since) revert RefundNotYetDue(orderId, state.since);
            _transition(orderId, terms, OrderStatus.Challenged, OrderStatus.Refunded, 0);
            refund += challengeBond;
            slashed = _slash(
                _teeOffers[terms.teeOfferId].provider,
                (total * slashBps) / 10_000,
                orderId,
                terms.customer
            );
        } else if (state.status == OrderStatus.None) {
            revert OrderNotFound(orderId);
        } else {
            revert WrongOrderStatus(orderId, state.status);
        }
        emit OrderRefunded(orderId, refund, slashed);
        _credit(terms.customer, refund);
    }
    /// @inheritdoc IOrderExits
    function challengeDelivery(OrderTerms calldata terms) external nonReentrant onlyMarketStorage {
        uint256 orderId = _orderIdOf(terms);
        OrderState memory state = _orders[orderId];
        if (state.status != OrderStatus.Completed) _revertWith(_statusError(orderId, state.status));
        if (msg.sender != terms.customer) revert NotOrderCustomer(orderId, msg.sender);
        // `since` is zero once the output is on-chain: nothing is withheld then.
        uint256 closesAt = uint256(state.since) + epochLength;
        if (state.since == 0 || block.timestamp > closesAt) revert ChallengeWindowClosed(orderId, uint40(closesAt));
        uint40 respondBy = uint40(block.timestamp) + responseWindow;
        _transition(orderId, terms, OrderStatus.Completed, OrderStatus.Challenged, respondBy);
        emit OrderChallenged(orderId, respondBy);
        _clawBackPayouts(terms, uint32(state.since / epochLength));
        _collect(msg.sender, challengeBond);
    }
    /// @inheritdoc IOrderExits
    function answerChallenge(
        OrderTerms calldata terms,
        bytes32 outputHash,
        bytes calldata wrappedResultKey,
        bytes calldata signature,
        bytes calldata output
    ) external onlyMarketStorage {
        uint256 orderId = _orderIdOf(terms);
        OrderState memory state = _orders[orderId];
        if (state.status != OrderStatus.Challenged) _revertWith(_statusError(orderId, state.status));
        if (block.timestamp > state.since) revert ResponseWindowClosed(orderId, state.since);
        // Exactly what the receipt delivered: an enclave that signed twice cannot be answered otherwise.
        bytes32 wrappedResultKeyHash = keccak256(wrappedResultKey);
        if (state.delivery != _deliveryOf(outputHash, wrappedResultKeyHash)) revert AnswerNotTheDelivery(orderId);
        if (sha256(output) != outputHash) revert OutputMismatch(outputHash, sha256(output));
        bytes memory refused = _signatureError(
            terms.enclave,
            _receiptHash(orderId, outputHash, wrappedResultKeyHash),
            signature
        );
        if (refused.length != 0) _revertWith(refused);
        _transition(orderId, terms, OrderStatus.Challenged, OrderStatus.Completed, 0);
        emit ChallengeAnswered(orderId, output);
        Batch memory single;
        _creditPayouts(single, terms);
        _credit(_teeOffers[terms.teeOfferId].provider, challengeBond);
    }
}
