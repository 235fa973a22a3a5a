// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ITdxAttestationErrors} from "../ITdxAttestationErrors.sol";

/**
 * @title Json
 * @notice A cursor over JSON text in memory, enough for Intel's signed collateral: objects walked
 * member by member in any order, arrays, strings, non-negative integers and hex. Anything it
 * cannot read reverts with {ITdxAttestationErrors-MalformedJson} at the offending offset.
 */
library Json {
    /// @dev The key {keyAt} gives for keys longer than 32 bytes, which Intel's documents never use.
    bytes32 internal constant LONG_KEY = bytes32(type(uint256).max);

    function charAt(bytes memory s, uint256 i) internal pure returns (uint256 c) {
        unchecked {
            if (i >= s.length) revert ITdxAttestationErrors.MalformedJson(i);
            assembly ("memory-safe") {
                c := byte(0, mload(add(add(s, 0x20), i)))
            }
        }
    }

    function skipSpace(bytes memory s, uint256 i) internal pure returns (uint256) {
        assembly ("memory-safe") {
            let base := add(s, 0x20)
            let length := mload(s)
            // Bits 0x09, 0x0a, 0x0d and 0x20 of this mask are the JSON whitespace characters.
            for {} lt(i, length) {
                i := add(i, 1)
            } {
                let c := byte(0, mload(add(base, i)))
                if iszero(and(lt(c, 33), and(shr(c, 0x100002600), 1))) {
                    break
                }
            }
        }
        return i;
    }

    /**
     * @dev Enters the object (`opening` '{') or array ('[') at `i`: where its first member or
     * element starts, and whether there is one.
     */
    function enter(
        bytes memory s,
        uint256 i,
        uint256 opening,
        uint256 closing
    ) internal pure returns (uint256 next, bool nonEmpty) {
        unchecked {
            i = skipSpace(s, i);
            if (charAt(s, i) != opening) revert ITdxAttestationErrors.MalformedJson(i);
            i = skipSpace(s, i + 1);
            if (charAt(s, i) == closing) return (i + 1, false);
            return (i, true);
        }
    }

    /// @dev After a member or element: where the next one starts, and whether there is one before `closing`.
    function next(bytes memory s, uint256 i, uint256 closing) internal pure returns (uint256, bool more) {
        unchecked {
            i = skipSpace(s, i);
            uint256 c = charAt(s, i);
            if (c == 0x2c) return (skipSpace(s, i + 1), true); // ','
            if (c == closing) return (i + 1, false);
            revert ITdxAttestationErrors.MalformedJson(i);
        }
    }

    /// @dev The member key at `i` (left-aligned, or {LONG_KEY}) and where its value starts.
    function keyAt(bytes memory s, uint256 i) internal pure returns (bytes32 key, uint256 valueAt) {
        unchecked {
            (uint256 start, uint256 end, uint256 after_) = stringAt(s, i);
            if (end - start > 32) {
                key = LONG_KEY;
            } else {
                assembly ("memory-safe") {
                    key := and(mload(add(add(s, 0x20), start)), not(shr(shl(3, sub(end, start)), not(0))))
                }
            }
            after_ = skipSpace(s, after_);
            if (charAt(s, after_) != 0x3a) revert ITdxAttestationErrors.MalformedJson(after_); // ':'
            valueAt = skipSpace(s, after_ + 1);
        }
    }

    /// @dev The string at `i`: bounds of its raw contents (escapes left as they are) and where it ends.
    function stringAt(bytes memory s, uint256 i) internal pure returns (uint256 start, uint256 end, uint256 after_) {
        if (charAt(s, i) != 0x22) revert ITdxAttestationErrors.MalformedJson(i);
        bool malformed;
        assembly ("memory-safe") {
            let base := add(s, 0x20)
            let length := mload(s)
            start := add(i, 1)
            end := start
            for {} 1 {} {
                if iszero(lt(end, length)) {
                    malformed := 1
                    break
                }
                let c := byte(0, mload(add(base, end)))
                if eq(c, 0x22) {
                    break
                }
                if lt(c, 0x20) {
                    malformed := 1
                    break
                }
                // A backslash escapes the next character.
                end := add(end, add(1, eq(c, 0x5c)))
            }
            after_ := add(end, 1)
        }
        if (malformed) revert ITdxAttestationErrors.MalformedJson(end);
    }

    /// @dev The non-negative integer at `i` (digits only, as Intel writes them), at most 2^53 - 1.
    function uintAt(bytes memory s, uint256 i) internal pure returns (uint256 value, uint256 after_) {
        unchecked {
            after_ = i;
            uint256 length = s.length;
            while (after_ < length) {
                uint256 c = charAt(s, after_);
                if (c < 0x30 || c > 0x39) break;
                value = value * 10 + c - 0x30;
                if (value > 2 ** 53 - 1) revert ITdxAttestationErrors.ValueOutOfRange(i);
                ++after_;
            }
            // At least one digit, no leading zero, and no fraction or exponent.
            if (after_ == i || (charAt(s, i) == 0x30 && after_ - i > 1)) revert ITdxAttestationErrors.MalformedJson(i);
            if (after_ < length) {
                uint256 c = charAt(s, after_);
                if (c == 0x2e || c == 0x65 || c == 0x45) revert ITdxAttestationErrors.MalformedJson(after_);
            }
        }
    }

    /// @dev Where the value at `i` ends, whatever it is.
    function skipValue(bytes memory s, uint256 i) internal pure returns (uint256) {
        unchecked {
            uint256 c = charAt(s, i);
            if (c == 0x22) {
                (, , uint256 after_) = stringAt(s, i);
                return after_;
            }
            if (c == 0x7b || c == 0x5b) {
                uint256 depth;
                for (uint256 j = i; ;) {
                    c = charAt(s, j);
                    if (c == 0x22) {
                        (, , j) = stringAt(s, j);
                        continue;
                    }
                    if (c == 0x7b || c == 0x5b) {
                        ++depth;
                    } else if (c == 0x7d || c == 0x5d) {
                        if (--depth == 0) return j + 1;
                    }
                    ++j;
                }
            }
            // A number, true, false or null: up to the next delimiter.
            uint256 end = i;
            while (end < s.length) {
                c = charAt(s, end);
                if (c == 0x2c || c == 0x7d || c == 0x5d || c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09) break;
                ++end;
            }
            return end;
        }
    }

    /**
     * @dev The hex string at `i` (optionally `0x`-prefixed, either case) holding exactly `length`
     * bytes: the bytes, and where the string ends.
     */
    function hexAt(
        bytes memory s,
        uint256 i,
        uint256 length
    ) internal pure returns (bytes memory value, uint256 after_) {
        unchecked {
            uint256 start;
            uint256 end;
            (start, end, after_) = stringAt(s, i);
            if (end - start >= 2 && charAt(s, start) == 0x30 && (charAt(s, start + 1) | 0x20) == 0x78) start += 2;
            if (end - start != length * 2) revert ITdxAttestationErrors.MalformedJson(i);
            value = new bytes(length);
            bool malformed;
            assembly ("memory-safe") {
                let from := add(add(s, 0x20), start)
                let to := add(value, 0x20)
                for {
                    let k := 0
                } lt(k, shl(1, length)) {
                    k := add(k, 1)
                } {
                    let c := byte(0, mload(add(from, k)))
                    let lower := or(c, 0x20)
                    let isDigit := and(gt(c, 0x2f), lt(c, 0x3a))
                    let isLetter := and(gt(lower, 0x60), lt(lower, 0x67))
                    malformed := or(malformed, iszero(or(isDigit, isLetter)))
                    let nibble := add(mul(isDigit, sub(c, 0x30)), mul(isLetter, sub(lower, 0x57)))
                    // The high nibble (even k) goes in first, shifted; the low one is or-ed in.
                    let at := add(to, shr(1, k))
                    mstore8(at, or(byte(0, mload(at)), shl(shl(2, iszero(and(k, 1))), nibble)))
                }
            }
            if (malformed) revert ITdxAttestationErrors.MalformedJson(i);
        }
    }

    /// @dev {hexAt} for at most 32 bytes, left-aligned in a word.
    function hexWordAt(bytes memory s, uint256 i, uint256 length) internal pure returns (bytes32 word, uint256 after_) {
        unchecked {
            bytes memory value;
            (value, after_) = hexAt(s, i, length);
            assembly ("memory-safe") {
                word := mload(add(value, 0x20))
            }
        }
    }

    /// @dev Whether the string at `i` is exactly `expected` (at most 32 bytes, no escapes), and where it ends.
    function stringEquals(
        bytes memory s,
        uint256 i,
        bytes32 expected,
        uint256 length
    ) internal pure returns (bool equal, uint256 after_) {
        unchecked {
            uint256 start;
            uint256 end;
            (start, end, after_) = stringAt(s, i);
            if (end - start != length) return (false, after_);
            bytes32 word;
            assembly ("memory-safe") {
                word := mload(add(add(s, 0x20), start))
            }
            bytes32 mask = ~bytes32(type(uint256).max >> (length * 8));
            equal = word & mask == expected;
        }
    }

    /// @dev The first 32 bytes of the string at `i` (left-aligned), its length, and where it ends.
    function stringWordAt(
        bytes memory s,
        uint256 i
    ) internal pure returns (bytes32 word, uint256 length, uint256 after_) {
        unchecked {
            uint256 start;
            uint256 end;
            (start, end, after_) = stringAt(s, i);
            length = end - start;
            uint256 kept = length < 32 ? length : 32;
            assembly ("memory-safe") {
                word := and(mload(add(add(s, 0x20), start)), not(shr(shl(3, kept), not(0))))
            }
        }
    }
}
