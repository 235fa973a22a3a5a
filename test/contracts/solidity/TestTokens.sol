// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

// TEST ONLY: tokens that behave the way some real tokens do, for the contract tests to deploy the
// market with. Never part of a deployment (contracts/ holds what ships).

/// @notice Anyone mints any amount: lets a test hold more than a uint96 or uint128 can count.
contract MintableTestToken is ERC20 {
    constructor() ERC20("Mintable Test Token", "tMINT") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @notice Burns 1 % of every transfer, as fee-on-transfer tokens do: the recipient gets less than was sent.
contract FeeOnTransferTestToken is MintableTestToken {
    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) return super._update(from, to, value);
        uint256 fee = value / 100;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}

/// @notice Told about every transfer from or to it, as ERC-777 hooks tell their holders.
interface ITokenHolderHook {
    function onTokenTransfer(address from, address to, uint256 amount) external;
}

/// @notice Calls the holder's hook on each transfer from or to a holder that asked for it (ERC-777 style).
contract CallbackTestToken is MintableTestToken {
    mapping(address holder => bool) public hooked;

    function setHooked(bool enabled) external {
        hooked[msg.sender] = enabled;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (hooked[from]) ITokenHolderHook(from).onTokenTransfer(from, to, value);
        if (to != from && hooked[to]) ITokenHolderHook(to).onTokenTransfer(from, to, value);
    }
}

/**
 * @notice An attacker's account: a contract that acts on the market and, when the token tells it
 * tokens moved, calls the market again in the middle of the first call, recording what happened.
 */
contract ReentrantAccount is ITokenHolderHook {
    address public immutable owner = msg.sender;
    address public immutable market;
    bytes public reentry;
    bool public reentryAttempted;
    bool public reentrySucceeded;
    bytes public reentryResult;

    constructor(address market_) {
        market = market_;
    }

    /// @notice Makes a call as this account; a revert is passed on with its reason.
    function execute(address target, bytes calldata data) external returns (bytes memory result) {
        require(msg.sender == owner);
        bool ok;
        (ok, result) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
    }

    /// @notice The market call to make from inside the next token transfer (empty: none).
    function setReentry(bytes calldata data) external {
        require(msg.sender == owner);
        reentry = data;
        reentryAttempted = false;
        reentrySucceeded = false;
        delete reentryResult;
    }

    function onTokenTransfer(address, address, uint256) external {
        if (reentry.length == 0 || reentryAttempted) return;
        reentryAttempted = true;
        (reentrySucceeded, reentryResult) = market.call(reentry);
    }
}
