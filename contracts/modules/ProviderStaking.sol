// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IProviderStaking} from "../interfaces/IProviderStaking.sol";
import {Accounts} from "./Accounts.sol";

/**
 * @title ProviderStaking
 * @notice Provider stakes, their unstake delay, and slashing to a wronged customer's balance.
 */
abstract contract ProviderStaking is IProviderStaking, Accounts {
    using SafeERC20 for IERC20;

    struct Stake {
        uint128 active;
        uint128 unstaking;
        uint40 unlockAt;
    }

    /// @notice Active stake a provider needs to accept orders.
    uint256 public immutable minStake;
    /// @notice Seconds between requesting an unstake and withdrawing it.
    uint40 public immutable unstakeDelay;

    mapping(address provider => Stake) private _stakes;

    constructor(uint256 minStake_, uint40 unstakeDelay_) {
        minStake = minStake_;
        unstakeDelay = unstakeDelay_;
    }

    /// @inheritdoc IProviderStaking
    function stake(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        Stake storage record = _stakes[msg.sender];
        record.active += uint128(amount);
        emit Staked(msg.sender, amount, record.active);
        paymentToken.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IProviderStaking
    function requestUnstake(uint256 amount) external {
        Stake storage record = _stakes[msg.sender];
        if (amount == 0) revert ZeroAmount();
        if (amount > record.active) revert InsufficientStake(msg.sender, record.active, amount);
        record.active -= uint128(amount);
        record.unstaking += uint128(amount);
        record.unlockAt = uint40(block.timestamp) + unstakeDelay;
        emit UnstakeRequested(msg.sender, amount, record.unlockAt);
    }

    /// @inheritdoc IProviderStaking
    function withdrawUnstaked() external nonReentrant {
        Stake storage record = _stakes[msg.sender];
        uint256 amount = record.unstaking;
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        if (block.timestamp < record.unlockAt) revert UnstakeLocked(record.unlockAt);
        record.unstaking = 0;
        emit UnstakeWithdrawn(msg.sender, amount);
        paymentToken.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IProviderStaking
    function stakeOf(address provider) external view returns (uint128 active, uint128 unstaking, uint40 unlockAt) {
        Stake storage record = _stakes[provider];
        return (record.active, record.unstaking, record.unlockAt);
    }

    function _activeStake(address provider) internal view returns (uint256) {
        return _stakes[provider].active;
    }

    /// @dev Moves up to `amount` of `provider`'s stake (active first, then unstaking) to `beneficiary`'s balance.
    function _slash(address provider, uint256 amount, uint256 orderId, address beneficiary) internal returns (uint256 slashed) {
        Stake storage record = _stakes[provider];
        uint256 fromActive = amount < record.active ? amount : record.active;
        uint256 rest = amount - fromActive;
        uint256 fromUnstaking = rest < record.unstaking ? rest : record.unstaking;
        slashed = fromActive + fromUnstaking;
        if (slashed == 0) return 0;
        record.active -= uint128(fromActive);
        record.unstaking -= uint128(fromUnstaking);
        emit Slashed(provider, orderId, beneficiary, slashed);
        _credit(beneficiary, slashed);
    }
}
