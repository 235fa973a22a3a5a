// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IAccounts} from "../interfaces/IAccounts.sol";
import {MarketContext} from "./MarketContext.sol";

/**
 * @title Accounts
 * @notice Balances (pull payments) and maturing payouts. Each account has an available balance
 * and two payout buckets, one per payout epoch still open; a bucket matures two epochs after its
 * own, when every challenge that could claw it back is over. `_credit`, `_creditMaturing`,
 * `_clawBack` and `_debit` are the only places balances change; `_pull` is the only place tokens
 * come in, and refuses a token that delivers less than asked.
 */
abstract contract Accounts is IAccounts, MarketContext, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @dev Two buckets of maturing payouts, one slot.
    struct Pending {
        uint96 amountA;
        uint32 epochA;
        uint96 amountB;
        uint32 epochB;
    }

    /// @notice The ERC-20 token of every price, escrow, stake and payout.
    IERC20 public immutable paymentToken;
    /// @notice Length of a payout epoch: the challenge window.
    uint40 public immutable epochLength;

    mapping(address account => uint256) private _available;
    mapping(address account => Pending) private _pending;

    constructor(IERC20 paymentToken_, uint40 epochLength_) {
        paymentToken = paymentToken_;
        epochLength = epochLength_;
    }

    /// @inheritdoc IAccounts
    function deposit(uint256 amount) external nonReentrant onlyMarketStorage {
        if (amount == 0) revert ZeroAmount();
        _pull(msg.sender, amount);
        _available[msg.sender] += amount;
        emit Deposited(msg.sender, amount);
    }

    /// @inheritdoc IAccounts
    function withdraw(uint256 amount) external nonReentrant onlyMarketStorage {
        if (amount == 0) revert ZeroAmount();
        _sweepMatured(msg.sender);
        _debit(msg.sender, amount);
        emit Withdrawn(msg.sender, amount);
        paymentToken.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IAccounts
    function balanceOf(address account) external view returns (uint256 balance) {
        Pending memory pending = _pending[account];
        uint32 epoch = payoutEpoch();
        balance = _available[account];
        if (_isMatured(pending.epochA, epoch)) balance += pending.amountA;
        if (_isMatured(pending.epochB, epoch)) balance += pending.amountB;
    }

    /// @inheritdoc IAccounts
    function pendingOf(address account) external view returns (uint256 amount, uint40 maturesAt) {
        Pending memory pending = _pending[account];
        uint32 epoch = payoutEpoch();
        uint32 latest;
        if (pending.amountA != 0 && !_isMatured(pending.epochA, epoch)) {
            amount += pending.amountA;
            latest = pending.epochA;
        }
        if (pending.amountB != 0 && !_isMatured(pending.epochB, epoch)) {
            amount += pending.amountB;
            if (pending.epochB > latest) latest = pending.epochB;
        }
        if (amount != 0) maturesAt = (uint40(latest) + 2) * epochLength;
    }

    /// @inheritdoc IAccounts
    function payoutEpoch() public view returns (uint32) {
        return uint32(block.timestamp / epochLength);
    }

    /// @dev Credits `amount`, available at once (refunds, cancellations, slashing compensation).
    function _credit(address account, uint256 amount) internal {
        _available[account] += amount;
    }

    /**
     * @dev Credits a payout for an order delivered now; it matures two payout epochs later. The
     * two buckets are read and written as one word (one SLOAD, one SSTORE).
     */
    function _creditMaturing(address account, uint256 amount) internal {
        Pending storage pending = _pending[account];
        uint256 word;
        assembly ("memory-safe") {
            word := sload(pending.slot)
        }
        // The layout of {Pending}: amountA, epochA, amountB, epochB from the lowest bits up.
        uint256 amountA = word & type(uint96).max;
        uint256 epochA = (word >> 96) & type(uint32).max;
        uint256 amountB = (word >> 128) & type(uint96).max;
        uint256 epochB = word >> 224;
        uint256 epoch = payoutEpoch();
        if (epochA == epoch && amountA != 0) {
            amountA = (amountA + amount).toUint96();
        } else if (epochB == epoch && amountB != 0) {
            amountB = (amountB + amount).toUint96();
        } else if (amountA == 0 || epochA + 2 <= epoch) {
            // Open epochs are this one and the one before, so one bucket is free or matured.
            if (amountA != 0) _available[account] += amountA;
            (amountA, epochA) = (amount.toUint96(), epoch);
        } else {
            if (amountB != 0) _available[account] += amountB;
            (amountB, epochB) = (amount.toUint96(), epoch);
        }
        word = amountA | (epochA << 96) | (amountB << 128) | (epochB << 224);
        assembly ("memory-safe") {
            sstore(pending.slot, word)
        }
    }

    /**
     * @dev Takes back a payout credited in `epoch` that has not matured: a challenge can only
     * come within one epoch of the delivery, so the bucket is still open.
     */
    function _clawBack(address account, uint256 amount, uint32 epoch) internal {
        Pending storage pending = _pending[account];
        uint96 value = amount.toUint96();
        if (pending.epochA == epoch && pending.amountA >= value) pending.amountA -= value;
        else if (pending.epochB == epoch && pending.amountB >= value) pending.amountB -= value;
        else revert InsufficientBalance(account, 0, amount);
    }

    function _debit(address account, uint256 amount) internal {
        uint256 balance = _available[account];
        if (balance < amount) revert InsufficientBalance(account, balance, amount);
        unchecked {
            _available[account] = balance - amount;
        }
    }

    /// @dev Takes `amount` from the account's available balance, pulling any shortfall from its wallet.
    function _collect(address account, uint256 amount) internal {
        uint256 balance = _available[account];
        if (balance >= amount) {
            unchecked {
                _available[account] = balance - amount;
            }
        } else {
            if (balance != 0) _available[account] = 0;
            _pull(account, amount - balance);
        }
    }

    /// @dev Moves `amount` of the token from `account` here, refusing a token that delivers less.
    function _pull(address account, uint256 amount) internal {
        uint256 before = paymentToken.balanceOf(address(this));
        paymentToken.safeTransferFrom(account, address(this), amount);
        uint256 received = paymentToken.balanceOf(address(this)) - before;
        if (received != amount) revert UnsupportedTokenTransfer(amount, received);
    }

    function _sweepMatured(address account) private {
        Pending memory pending = _pending[account];
        uint32 epoch = payoutEpoch();
        uint256 matured;
        if (pending.amountA != 0 && _isMatured(pending.epochA, epoch)) {
            matured += pending.amountA;
            pending.amountA = 0;
        }
        if (pending.amountB != 0 && _isMatured(pending.epochB, epoch)) {
            matured += pending.amountB;
            pending.amountB = 0;
        }
        if (matured != 0) {
            _pending[account] = pending;
            _available[account] += matured;
        }
    }

    function _isMatured(uint32 bucketEpoch, uint32 epoch) private pure returns (bool) {
        return uint256(bucketEpoch) + 2 <= epoch;
    }
}
