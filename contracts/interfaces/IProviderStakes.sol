// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title IProviderStakes
 * @notice Providers stake the payment token. Accepting an order locks the part of the stake the
 * order could cost the provider, until the order settles; accepting needs at least `minStake`
 * active stake and enough unlocked stake for the new lock. Only unlocked stake can start
 * unstaking, which waits `unstakeDelay` (longer than any order and its challenge can last), and
 * stake that waits is still slashable: a provider cannot run from an order it took.
 */
interface IProviderStakes {
    event Staked(address indexed provider, uint256 amount, uint256 activeStake);
    event UnstakeRequested(address indexed provider, uint256 amount, uint40 unlockAt);
    event UnstakeWithdrawn(address indexed provider, uint256 amount);
    /// @notice `amount` of `provider`'s stake went to `beneficiary` for `orderId` (a missed deadline, a hand-back or a withheld output).
    event Slashed(address indexed provider, uint256 indexed orderId, address indexed beneficiary, uint256 amount);

    /// @notice Less unlocked stake than the call needs.
    error InsufficientStake(address provider, uint256 available, uint256 requested);
    /// @notice Accepting needs at least the minimum active stake.
    error StakeBelowMinimum(address provider, uint256 activeStake, uint256 minimum);
    error UnstakeLocked(uint40 unlockAt);
    error NothingToWithdraw(address provider);

    /// @notice Moves `amount` of the payment token from the caller into the caller's stake.
    function stake(uint256 amount) external;

    /// @notice Starts unstaking `amount` of unlocked stake; it can be withdrawn after the unstake delay and stays slashable until then.
    function requestUnstake(uint256 amount) external;

    /// @notice Sends the caller's unstaked amount to the caller once the delay has passed.
    function withdrawUnstaked() external;

    /**
     * @notice The stake of `provider`.
     * @return active Stake that counts for accepting orders.
     * @return locked Stake locked by accepted orders: their exposure, each released when its order
     * settles. It exceeds `active` after a slash for a withheld output took stake they counted
     * on; until it comes down no stake is unlocked.
     * @return unstaking Stake waiting for the unstake delay (still slashable).
     * @return unlockAt When `unstaking` can be withdrawn.
     */
    function stakeOf(
        address provider
    ) external view returns (uint128 active, uint128 locked, uint128 unstaking, uint40 unlockAt);
}
