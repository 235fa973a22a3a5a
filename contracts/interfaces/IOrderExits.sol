// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IOrderTypes} from "./IOrderTypes.sol";

/**
 * @title IOrderExits
 * @notice The ways an order ends other than by its enclave's statement, and the challenge of a
 * withheld output. The market serves them through {OrderExits}, which it delegates to; call
 * them on the market's address.
 */
interface IOrderExits is IOrderTypes {
    /// @notice The provider gives an accepted order back before its deadline: refund plus the hand-back fee from its stake.
    function handBackOrder(OrderTerms calldata terms) external;

    /// @notice Cancels the caller's order before it is accepted; the escrow is credited back.
    function cancelOrder(OrderTerms calldata terms) external;

    /**
     * @notice Refunds an order not accepted by `acceptBy`; accepted and not completed by
     * `deadline` (slashing the provider unless the registry excuses it); or challenged and not
     * answered in time (slashing the provider, and returning the challenge bond). Anyone may call.
     */
    function refundOrder(OrderTerms calldata terms) external;

    /// @notice The customer says a completed order's output is withheld, within the challenge window, posting the challenge bond.
    function challengeDelivery(OrderTerms calldata terms) external;

    /**
     * @notice Answers a challenge by publishing the output on-chain with the enclave's receipt;
     * the payouts stand again and the challenge bond goes to the provider. Anyone may answer.
     */
    function answerChallenge(
        OrderTerms calldata terms,
        bytes32 outputHash,
        bytes calldata wrappedResultKey,
        bytes calldata signature,
        bytes calldata output
    ) external;
}
