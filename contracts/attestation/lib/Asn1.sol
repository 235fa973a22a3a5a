// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ITdxAttestationErrors} from "../ITdxAttestationErrors.sol";

/**
 * @title Asn1
 * @notice Reads DER tag-length-value items from memory. Every item must end within its parent;
 * anything else reverts with {ITdxAttestationErrors-MalformedDer}. Offsets index into `der`.
 */
library Asn1 {
    uint256 internal constant INTEGER = 0x02;
    uint256 internal constant BIT_STRING = 0x03;
    uint256 internal constant OCTET_STRING = 0x04;
    uint256 internal constant OBJECT_IDENTIFIER = 0x06;
    uint256 internal constant ENUMERATED = 0x0a;
    uint256 internal constant UTC_TIME = 0x17;
    uint256 internal constant GENERALIZED_TIME = 0x18;
    uint256 internal constant SEQUENCE = 0x30;
    uint256 internal constant SET = 0x31;

    /// @dev The item at `offset`, which must end by `limit` (at most `der.length`): its tag and contents bounds.
    function read(
        bytes memory der,
        uint256 offset,
        uint256 limit
    ) internal pure returns (uint256 tag, uint256 start, uint256 end) {
        bool malformed;
        assembly ("memory-safe") {
            let word := mload(add(add(der, 0x20), offset))
            tag := byte(0, word)
            let lengthByte := byte(1, word)
            start := add(offset, 2)
            end := add(start, lengthByte)
            // Multi-byte tags never occur in what Intel signs; lengths take at most 3 bytes.
            malformed := or(gt(limit, mload(der)), or(gt(start, limit), eq(and(tag, 0x1f), 0x1f)))
            if gt(lengthByte, 0x7f) {
                let count := and(lengthByte, 0x7f)
                malformed := or(malformed, or(iszero(count), gt(count, 3)))
                let length := shr(sub(256, shl(3, count)), mload(add(add(der, 0x20), start)))
                start := add(start, count)
                end := add(start, length)
            }
            malformed := or(malformed, gt(end, limit))
        }
        if (malformed) revert ITdxAttestationErrors.MalformedDer(offset);
    }

    /// @dev {read}, requiring the tag `wanted`.
    function expect(
        bytes memory der,
        uint256 offset,
        uint256 limit,
        uint256 wanted
    ) internal pure returns (uint256 start, uint256 end) {
        uint256 tag;
        (tag, start, end) = read(der, offset, limit);
        if (tag != wanted) revert ITdxAttestationErrors.MalformedDer(offset);
    }

    /// @dev The tag at `offset`, or 0 when `offset` is at `limit`.
    function tagAt(bytes memory der, uint256 offset, uint256 limit) internal pure returns (uint256 tag) {
        if (offset >= limit) return 0;
        assembly ("memory-safe") {
            tag := byte(0, mload(add(add(der, 0x20), offset)))
        }
    }

    /// @dev The 32 bytes at `offset` (the caller bounds what it uses of them).
    function wordAt(bytes memory der, uint256 offset) internal pure returns (bytes32 word) {
        assembly ("memory-safe") {
            word := mload(add(add(der, 0x20), offset))
        }
    }

    /// @dev Whether the `length` (at most 32) bytes at `offset` are the first `length` bytes of `expected`.
    function startsWith(
        bytes memory der,
        uint256 offset,
        uint256 limit,
        bytes32 expected,
        uint256 length
    ) internal pure returns (bool) {
        unchecked {
            if (offset + length > limit) return false;
            bytes32 mask = ~bytes32(type(uint256).max >> (length * 8));
            return wordAt(der, offset) & mask == expected & mask;
        }
    }

    /// @dev keccak256 of `der[start:end]`.
    function hashOf(bytes memory der, uint256 start, uint256 end) internal pure returns (bytes32 hash) {
        assembly ("memory-safe") {
            hash := keccak256(add(add(der, 0x20), start), sub(end, start))
        }
    }

    /// @dev SHA-256 of `der[start:end]`.
    function sha256Of(bytes memory der, uint256 start, uint256 end) internal view returns (bytes32 hash) {
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x02, add(add(der, 0x20), start), sub(end, start), 0x00, 0x20)
            hash := mload(0x00)
        }
        if (!ok) revert ITdxAttestationErrors.PrecompileFailed(address(0x02));
    }

    /// @dev A non-negative INTEGER at `offset`: its value and how many bytes it takes without leading zeros (at most 32).
    function unsignedAt(
        bytes memory der,
        uint256 offset,
        uint256 limit
    ) internal pure returns (uint256 value, uint256 length, uint256 end) {
        uint256 start;
        (start, end) = expect(der, offset, limit, INTEGER);
        (value, length) = unsignedIn(der, start, end, offset);
    }

    /// @dev The value of the contents `der[start:end]` of the INTEGER at `offset`, and its length without leading zeros.
    function unsignedIn(
        bytes memory der,
        uint256 start,
        uint256 end,
        uint256 offset
    ) internal pure returns (uint256 value, uint256 length) {
        unchecked {
            if (start == end || uint8(wordAt(der, start)[0]) > 0x7f) revert ITdxAttestationErrors.MalformedDer(offset);
            while (start < end && wordAt(der, start)[0] == 0) ++start;
            length = end - start;
            if (length > 32) revert ITdxAttestationErrors.MalformedDer(offset);
            if (length != 0) value = uint256(wordAt(der, start)) >> (256 - length * 8);
        }
    }
}
