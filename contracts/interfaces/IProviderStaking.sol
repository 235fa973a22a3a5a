// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title IProviderStaking
 * @notice Providers stake the payment token. Accepting an order needs at least `minStake` active
 * stake; unstaking waits `unstakeDelay`, and stake that waits is still slashable, so a provider
 * cannot run from an order it let expire.
 */
interface IProviderStaking {
    event Staked(address indexed provider, uint256 amount, uint256 activeStake);
    event UnstakeRequested(address indexed provider, uint256 amount, uint40 unlockAt);
    event UnstakeWithdrawn(address indexed provider, uint256 amount);
    /// @notice `amount` of `provider`'s stake went to `beneficiary` for missing `orderId`'s deadline.
    event Slashed(address indexed provider, uint256 indexed orderId, address indexed beneficiary, uint256 amount);

    error InsufficientStake(address provider, uint256 available, uint256 requested);
    error UnstakeLocked(uint40 unlockAt);
    error NothingToWithdraw(address provider);

    /// @notice Moves `amount` of the payment token from the caller into the caller's stake.
    function stake(uint256 amount) external;

    /// @notice Starts unstaking `amount`; it can be withdrawn after the unstake delay and stays slashable until then.
    function requestUnstake(uint256 amount) external;

    /// @notice Sends the caller's unstaked amount to the caller once the delay has passed.
    function withdrawUnstaked() external;

    /// @notice Active and unstaking amounts of `provider`, and when the unstaking amount unlocks.
    function stakeOf(address provider) external view returns (uint128 active, uint128 unstaking, uint40 unlockAt);
}
