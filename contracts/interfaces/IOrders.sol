// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IOrderTypes} from "./IOrderTypes.sol";

/**
 * @title IOrders
 * @notice The hot path of an order, served by the market itself: create, accept, and end with
 * the enclave's receipt or signed failure (single or batched). See {IOrderTypes} for the
 * lifecycle and {IOrderExits} for the other ways an order ends.
 */
interface IOrders is IOrderTypes {
    /// @notice Creates an order and escrows its price from the caller's balance (pulling any shortfall from the wallet).
    /// @return orderId The new order's id, the hash of its terms.
    function createOrder(OrderParams calldata params) external returns (uint256 orderId);

    /// @notice Accepts the order with these terms on the caller's TEE offer; locks stake and a unit of capacity.
    function acceptOrder(OrderTerms calldata terms) external;

    /// @notice {acceptOrder} for many orders in one transaction, skipping those it cannot accept.
    function acceptOrders(OrderTerms[] calldata terms) external;

    /**
     * @notice Completes an accepted order with its enclave's EIP-712 `Receipt(orderId,
     * outputHash, wrappedResultKey)` signature, before the deadline. Anyone may submit it.
     */
    function submitReceipt(
        OrderTerms calldata terms,
        bytes32 outputHash,
        bytes calldata wrappedResultKey,
        bytes calldata signature
    ) external;

    /// @notice {submitReceipt} for many orders in one transaction, skipping those it cannot complete.
    function submitReceipts(ReceiptSubmission[] calldata receipts) external;

    /**
     * @notice Ends an accepted order with its enclave's EIP-712 `Failure(orderId, reason)`
     * signature, before the deadline: the escrow goes back to the customer, without slashing.
     * Anyone may submit it.
     */
    function submitFailure(OrderTerms calldata terms, FailureReason reason, bytes calldata signature) external;

    /// @notice {submitFailure} for many orders in one transaction, skipping those it cannot end.
    function submitFailures(FailureSubmission[] calldata failures) external;

    /// @notice The stored state of `orderId`.
    function getOrder(uint256 orderId) external view returns (OrderState memory);

    /// @notice The id of the order with these terms: `uint256(keccak256(abi.encode(terms)))`.
    function orderIdOf(OrderTerms calldata terms) external pure returns (uint256);
}
