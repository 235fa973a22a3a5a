// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ITdxAttestationErrors} from "../ITdxAttestationErrors.sol";

/**
 * @title Blob
 * @notice Immutable bytes kept as the code of a contract of their own (the SSTORE2 pattern): a
 * write costs 200 gas a byte instead of 20,000 a word, and a read is one EXTCODECOPY. The code
 * starts with a STOP byte, so the data can never run.
 */
library Blob {
    /// @dev Deploys `data` and returns where it lives.
    function write(bytes memory data) internal returns (address pointer) {
        uint256 length = data.length + 1;
        assembly ("memory-safe") {
            // Init code (10 bytes): PUSH2 length, DUP1, PUSH1 10, RETURNDATASIZE, CODECOPY,
            // RETURNDATASIZE, RETURN; then the runtime code: STOP and the data. The init code and
            // STOP are written over the end of `data`'s length word, which is restored after.
            let savedLength := mload(data)
            mstore(data, or(shl(80, 0x61), or(shl(64, length), 0x80600a3d393df300)))
            pointer := create(0, add(data, 21), add(length, 10))
            mstore(data, savedLength)
        }
        if (pointer == address(0)) revert ITdxAttestationErrors.CollateralWriteFailed();
    }

    /// @dev The `length` bytes stored at `pointer`.
    function read(address pointer, uint256 length) internal view returns (bytes memory data) {
        assembly ("memory-safe") {
            data := mload(0x40)
            mstore(data, length)
            extcodecopy(pointer, add(data, 0x20), 1, length)
            mstore(0x40, and(add(add(data, 0x3f), length), not(0x1f)))
        }
    }
}
