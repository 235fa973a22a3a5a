// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IAccounts} from "../interfaces/IAccounts.sol";

/**
 * @title Accounts
 * @notice Free balances (pull payments). `_credit` and `_debit` are the only places balances change.
 */
abstract contract Accounts is IAccounts, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice The ERC-20 token of every price, escrow, stake and payout.
    IERC20 public immutable paymentToken;

    mapping(address account => uint256) private _balances;

    constructor(IERC20 paymentToken_) {
        paymentToken = paymentToken_;
    }

    /// @inheritdoc IAccounts
    function deposit(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        _balances[msg.sender] += amount;
        emit Deposited(msg.sender, amount);
        paymentToken.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IAccounts
    function withdraw(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        _debit(msg.sender, amount);
        emit Withdrawn(msg.sender, amount);
        paymentToken.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IAccounts
    function balanceOf(address account) external view returns (uint256) {
        return _balances[account];
    }

    function _credit(address account, uint256 amount) internal {
        _balances[account] += amount;
    }

    function _debit(address account, uint256 amount) internal {
        uint256 balance = _balances[account];
        if (balance < amount) revert InsufficientBalance(account, balance, amount);
        unchecked {
            _balances[account] = balance - amount;
        }
    }

    /// @dev Takes `amount` from the caller's balance, pulling any shortfall from the caller's wallet.
    function _collect(address account, uint256 amount) internal {
        uint256 balance = _balances[account];
        if (balance >= amount) {
            unchecked {
                _balances[account] = balance - amount;
            }
        } else {
            if (balance != 0) _balances[account] = 0;
            paymentToken.safeTransferFrom(account, address(this), amount - balance);
        }
    }
}
