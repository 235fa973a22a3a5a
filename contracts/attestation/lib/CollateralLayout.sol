// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ITdxAttestationErrors} from "../ITdxAttestationErrors.sol";

/**
 * @title CollateralLayout
 * @notice The compact form the collateral store keeps a parsed TCB info or QE identity in: fixed
 * fields at the offsets below (big-endian), then variable-length records. Written once at
 * posting ({IntelCollateralJson}), read at every verification ({TcbEvaluation}).
 *
 * TCB info: header, then `moduleIdentityCount` TDX module identities, then `tcbLevelCount` levels.
 *  - module identity: version (1), mrsigner hash (32), attributes (8), mask (8), level count (1),
 *    then per level: isvsvn (2), status (1), advisory count (1), advisories (2 each).
 *  - TCB level: SGX SVNs (16), TDX SVNs (16), pcesvn (2), status (1), tcbDate (5), advisory count (1),
 *    advisories (2 each: the number of INTEL-SA-<number>).
 * QE identity: header, then per level: isvsvn (2), status (1), tcbDate (5), advisory count (1), advisories.
 * A status is a {TcbStatus} value, or {UNRECOGNISED} for a name Intel's library would refuse there.
 */
library CollateralLayout {
    uint8 internal constant UNRECOGNISED = 0xff;

    // Both documents start alike.
    uint256 internal constant ISSUE_DATE = 0; // 5
    uint256 internal constant NEXT_UPDATE = 5; // 5
    uint256 internal constant SIGNER_NOT_AFTER = 10; // 5
    uint256 internal constant SIGNER_SERIAL = 15; // 20
    uint256 internal constant EVALUATION_NUMBER = 35; // 4

    uint256 internal constant TCB_PCE_ID = 39; // 2
    uint256 internal constant TCB_FMSPC = 41; // 6
    uint256 internal constant TCB_HAS_TDX_MODULE = 47; // 1
    uint256 internal constant TCB_TDX_MODULE_SIGNER = 48; // 32
    uint256 internal constant TCB_TDX_MODULE_ATTRIBUTES = 80; // 8
    uint256 internal constant TCB_TDX_MODULE_MASK = 88; // 8
    uint256 internal constant TCB_MODULE_IDENTITY_COUNT = 96; // 1
    uint256 internal constant TCB_LEVEL_COUNT = 97; // 1
    uint256 internal constant TCB_HEADER = 98;

    uint256 internal constant MODULE_VERSION = 0; // 1
    uint256 internal constant MODULE_SIGNER = 1; // 32
    uint256 internal constant MODULE_ATTRIBUTES = 33; // 8
    uint256 internal constant MODULE_MASK = 41; // 8
    uint256 internal constant MODULE_LEVEL_COUNT = 49; // 1
    uint256 internal constant MODULE_HEADER = 50;
    uint256 internal constant MODULE_LEVEL_ISVSVN = 0; // 2
    uint256 internal constant MODULE_LEVEL_STATUS = 2; // 1
    uint256 internal constant MODULE_LEVEL_ADVISORIES = 3; // count (1), then 2 each

    uint256 internal constant LEVEL_SGX = 0; // 16
    uint256 internal constant LEVEL_TDX = 16; // 16
    uint256 internal constant LEVEL_PCESVN = 32; // 2
    uint256 internal constant LEVEL_STATUS = 34; // 1
    uint256 internal constant LEVEL_TCB_DATE = 35; // 5
    uint256 internal constant LEVEL_ADVISORIES = 40; // count (1), then 2 each

    uint256 internal constant QE_MISCSELECT = 39; // 4
    uint256 internal constant QE_MISCSELECT_MASK = 43; // 4
    uint256 internal constant QE_ATTRIBUTES = 47; // 16
    uint256 internal constant QE_ATTRIBUTES_MASK = 63; // 16
    uint256 internal constant QE_MRSIGNER = 79; // 32
    uint256 internal constant QE_ISVPRODID = 111; // 2
    uint256 internal constant QE_LEVEL_COUNT = 113; // 1
    uint256 internal constant QE_HEADER = 114;
    uint256 internal constant QE_LEVEL_ISVSVN = 0; // 2
    uint256 internal constant QE_LEVEL_STATUS = 2; // 1
    uint256 internal constant QE_LEVEL_TCB_DATE = 3; // 5
    uint256 internal constant QE_LEVEL_ADVISORIES = 8; // count (1), then 2 each

    /// @dev The `size`-byte (at most 32) big-endian number at `data[at]`; the caller keeps `at + size` in bounds.
    function read(bytes memory data, uint256 at, uint256 size) internal pure returns (uint256 value) {
        unchecked {
            assembly ("memory-safe") {
                value := shr(sub(256, shl(3, size)), mload(add(add(data, 0x20), at)))
            }
        }
    }

    /// @dev The `size` bytes at `data[at]`, left-aligned.
    function readBytes(bytes memory data, uint256 at, uint256 size) internal pure returns (bytes32 value) {
        unchecked {
            return bytes32(read(data, at, size) << (256 - size * 8));
        }
    }

    /// @dev Writes `value` as `size` big-endian bytes at `data[at]`, keeping the bytes around it; returns `at + size`.
    function write(bytes memory data, uint256 at, uint256 value, uint256 size) internal pure returns (uint256) {
        unchecked {
            if (at + size > data.length) revert ITdxAttestationErrors.MalformedJson(at);
            assembly ("memory-safe") {
                let p := add(add(data, 0x20), at)
                let bits := shl(3, size)
                let keep := shr(bits, not(0))
                mstore(p, or(shl(sub(256, bits), value), and(mload(p), keep)))
            }
            return at + size;
        }
    }

    /// @dev The length of the advisory list at `data[at]` (count byte and entries).
    function advisoriesLength(bytes memory data, uint256 at) internal pure returns (uint256) {
        unchecked {
            return 1 + 2 * read(data, at, 1);
        }
    }

    /// @dev The length of the module identity at `data[at]`.
    function moduleIdentityLength(bytes memory data, uint256 at) internal pure returns (uint256 length) {
        unchecked {
            uint256 levels = read(data, at + MODULE_LEVEL_COUNT, 1);
            length = MODULE_HEADER;
            for (uint256 i; i < levels; ++i) {
                length += MODULE_LEVEL_ADVISORIES + advisoriesLength(data, at + length + MODULE_LEVEL_ADVISORIES);
            }
        }
    }
}
