// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title IAccounts
 * @notice Every account's balance of the payment token inside the market: deposits, refunds and
 * slashing compensation are available at once; payouts for delivered orders mature after two
 * payout epochs (an epoch lasts one challenge window), so that a customer who shows the output
 * was withheld can still recover them. Only the account itself can withdraw (pull payments).
 * Credits are not logged one by one: each follows from an order event and the order's terms, or
 * from {IProviderStakes-Slashed}, which keeps receipts cheap.
 */
interface IAccounts {
    event Deposited(address indexed account, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount);

    /// @notice The account's available balance is below what the call needs.
    error InsufficientBalance(address account, uint256 balance, uint256 needed);
    error ZeroAmount();
    /// @notice The payment token moved another amount than asked (a fee-on-transfer or rebasing token): refused.
    error UnsupportedTokenTransfer(uint256 expected, uint256 received);

    /// @notice Moves `amount` of the payment token from the caller (who approved it) to the caller's balance.
    function deposit(uint256 amount) external;

    /// @notice Sends `amount` of the caller's available balance (matured payouts included) to the caller.
    function withdraw(uint256 amount) external;

    /// @notice The available balance of `account`, matured payouts included.
    function balanceOf(address account) external view returns (uint256);

    /// @notice Payouts of `account` that have not matured yet, and when the last of them matures.
    function pendingOf(address account) external view returns (uint256 amount, uint40 maturesAt);

    /// @notice The current payout epoch (the time divided by the challenge window).
    function payoutEpoch() external view returns (uint32);
}
