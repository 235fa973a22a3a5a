// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title IAccounts
 * @notice Every account's free balance of the payment token inside BOCC: deposits, payouts,
 * refunds and slashing compensation land here, and only the account itself can withdraw it
 * (pull payments). Escrow of open orders and stakes are held apart from these balances.
 * Credits are not logged one by one: each follows from an order event and the order's terms
 * ({IOrders-OrderCompleted}, {IOrders-OrderCancelled}, {IOrders-OrderRefunded}) or from
 * {IProviderStaking-Slashed}, which keeps receipts cheap.
 */
interface IAccounts {
    event Deposited(address indexed account, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount);

    error InsufficientBalance(address account, uint256 balance, uint256 needed);
    error ZeroAmount();

    /// @notice Moves `amount` of the payment token from the caller (who approved it) to the caller's balance.
    function deposit(uint256 amount) external;

    /// @notice Sends `amount` of the caller's balance to the caller.
    function withdraw(uint256 amount) external;

    /// @notice The free balance of `account`.
    function balanceOf(address account) external view returns (uint256);
}
