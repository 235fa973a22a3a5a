// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/**
 * @title BoccToken
 * @notice ERC-20 payment token for LOCAL AND TEST NETWORKS ONLY: anyone may mint from its faucet.
 * On a public network BOCC uses an existing token instead.
 */
contract BoccToken is ERC20 {
    /// @notice Largest amount one faucet call may mint.
    uint256 public constant FAUCET_LIMIT = 1_000_000 ether;

    /// @notice The faucet was asked for more than {FAUCET_LIMIT}.
    error FaucetLimitExceeded(uint256 requested, uint256 limit);

    constructor() ERC20("BOCC Test Token", "tBOCC") {}

    /**
     * @notice Mints `amount` to the caller (test networks only).
     * @param amount Amount in the token's smallest unit, at most {FAUCET_LIMIT}.
     */
    function faucet(uint256 amount) external {
        if (amount > FAUCET_LIMIT) revert FaucetLimitExceeded(amount, FAUCET_LIMIT);
        _mint(msg.sender, amount);
    }
}
