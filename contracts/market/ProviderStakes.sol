// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IProviderStakes} from "../interfaces/IProviderStakes.sol";
import {Accounts} from "./Accounts.sol";

/**
 * @title ProviderStakes
 * @notice Provider stakes: locks per accepted order, the unstake delay, and slashing to a wronged
 * customer's balance. `_lock`, `_unlock` and `_slash` are the only places a stake changes besides
 * the provider's own calls.
 */
abstract contract ProviderStakes is IProviderStakes, Accounts {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    struct Stake {
        uint128 active;
        uint128 locked;
    }

    struct Unstaking {
        uint128 amount;
        uint40 unlockAt;
    }

    /// @notice Active stake a provider needs to accept orders.
    uint256 public immutable minStake;
    /// @notice Seconds between requesting an unstake and withdrawing it.
    uint40 public immutable unstakeDelay;

    mapping(address provider => Stake) private _stakes;
    mapping(address provider => Unstaking) private _unstaking;

    constructor(uint256 minStake_, uint40 unstakeDelay_) {
        minStake = minStake_;
        unstakeDelay = unstakeDelay_;
    }

    /// @inheritdoc IProviderStakes
    function stake(uint256 amount) external nonReentrant onlyMarketStorage {
        if (amount == 0) revert ZeroAmount();
        _pull(msg.sender, amount);
        Stake storage record = _stakes[msg.sender];
        record.active += amount.toUint128();
        emit Staked(msg.sender, amount, record.active);
    }

    /// @inheritdoc IProviderStakes
    function requestUnstake(uint256 amount) external onlyMarketStorage {
        if (amount == 0) revert ZeroAmount();
        Stake storage record = _stakes[msg.sender];
        uint256 unlocked = _unlocked(record);
        if (amount > unlocked) revert InsufficientStake(msg.sender, unlocked, amount);
        record.active -= amount.toUint128();
        Unstaking storage unstaking = _unstaking[msg.sender];
        unstaking.amount += amount.toUint128();
        unstaking.unlockAt = uint40(block.timestamp) + unstakeDelay;
        emit UnstakeRequested(msg.sender, amount, unstaking.unlockAt);
    }

    /// @inheritdoc IProviderStakes
    function withdrawUnstaked() external nonReentrant onlyMarketStorage {
        Unstaking storage unstaking = _unstaking[msg.sender];
        uint256 amount = unstaking.amount;
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        if (block.timestamp < unstaking.unlockAt) revert UnstakeLocked(unstaking.unlockAt);
        unstaking.amount = 0;
        emit UnstakeWithdrawn(msg.sender, amount);
        paymentToken.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IProviderStakes
    function stakeOf(
        address provider
    ) external view returns (uint128 active, uint128 locked, uint128 unstaking, uint40 unlockAt) {
        Stake storage record = _stakes[provider];
        Unstaking storage waiting = _unstaking[provider];
        return (record.active, record.locked, waiting.amount, waiting.unlockAt);
    }

    /// @dev `provider`'s active stake and the part of it no accepted order has locked.
    function _stakeOf(address provider) internal view returns (uint256 active, uint256 unlocked) {
        Stake memory record = _stakes[provider];
        return (record.active, _unlocked(record));
    }

    /**
     * @dev The error that locking `amount` of `provider`'s stake for a new order would raise, given
     * its stake ({_stakeOf}): accepting needs the minimum stake and enough unlocked stake. Empty
     * when it can be locked.
     */
    function _lockError(
        address provider,
        uint256 active,
        uint256 unlocked,
        uint256 amount
    ) internal view returns (bytes memory) {
        if (active < minStake) return abi.encodeWithSelector(StakeBelowMinimum.selector, provider, active, minStake);
        if (amount > unlocked) return abi.encodeWithSelector(InsufficientStake.selector, provider, unlocked, amount);
        return "";
    }

    /// @dev Locks `amount` of `provider`'s stake for orders ({_lockError} said it can).
    function _lock(address provider, uint256 amount) internal {
        Stake storage record = _stakes[provider];
        // {_lockError} found amount <= active - locked, so the sum stays within the uint128 active.
        unchecked {
            record.locked += uint128(amount);
        }
    }

    function _unlock(address provider, uint256 amount) internal {
        _stakes[provider].locked -= amount.toUint128();
    }

    /// @dev Active stake no accepted order has locked (zero while locks exceed the active stake).
    function _unlocked(Stake memory record) private pure returns (uint256) {
        return record.active > record.locked ? record.active - record.locked : 0;
    }

    /**
     * @dev Moves up to `amount` of `provider`'s stake to `beneficiary`'s balance: active stake
     * first, then stake waiting to unstake.
     */
    function _slash(
        address provider,
        uint256 amount,
        uint256 orderId,
        address beneficiary
    ) internal returns (uint256 slashed) {
        Stake memory record = _stakes[provider];
        uint256 fromActive = amount < record.active ? amount : record.active;
        // Locks stay as they are: each is released when its order settles, and while they exceed
        // what stays active (a slash for a withheld output takes unlocked stake), none is unlocked.
        record.active -= fromActive.toUint128();
        _stakes[provider] = record;
        uint256 rest = amount - fromActive;
        uint256 fromUnstaking;
        if (rest != 0) {
            Unstaking storage unstaking = _unstaking[provider];
            fromUnstaking = rest < unstaking.amount ? rest : unstaking.amount;
            unstaking.amount -= fromUnstaking.toUint128();
        }
        slashed = fromActive + fromUnstaking;
        if (slashed == 0) return 0;
        emit Slashed(provider, orderId, beneficiary, slashed);
        _credit(beneficiary, slashed);
    }
}
