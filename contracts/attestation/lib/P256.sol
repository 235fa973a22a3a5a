// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title P256
 * @notice ECDSA P-256 signature checks through the EIP-7951 precompile (address 0x100, 6,900 gas,
 * active from the osaka hardfork).
 */
library P256 {
    address internal constant PRECOMPILE = address(0x100);

    /**
     * @dev Whether (r, s) signs `digest` for the key (x, y). The precompile answers 32 bytes of 1 for
     * a valid signature and nothing otherwise; a chain without it answers nothing as well, so this
     * fails closed.
     */
    function verify(bytes32 digest, bytes32 r, bytes32 s, bytes32 x, bytes32 y) internal view returns (bool valid) {
        assembly ("memory-safe") {
            let input := mload(0x40)
            mstore(input, digest)
            mstore(add(input, 0x20), r)
            mstore(add(input, 0x40), s)
            mstore(add(input, 0x60), x)
            mstore(add(input, 0x80), y)
            mstore(0x00, 0)
            let ok := staticcall(gas(), 0x100, input, 0xa0, 0x00, 0x20)
            valid := and(ok, and(eq(returndatasize(), 0x20), eq(mload(0x00), 1)))
        }
    }
}
