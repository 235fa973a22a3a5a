// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ITdxAttestationErrors} from "../ITdxAttestationErrors.sol";

/**
 * @title Pem
 * @notice Decodes a PEM CERTIFICATE block from calldata, laid out as quoting enclaves and Intel's
 * PCS write them (RFC 7468 strict: 64-character lines ending in LF). The base64 alphabet is not
 * validated: what decodes is DER whose signature is checked, so a wrong character fails there.
 */
library Pem {
    bytes32 private constant BEGIN = "-----BEGIN CERTIFICATE-----\n";
    uint256 private constant BEGIN_LENGTH = 28;
    bytes32 private constant END = "-----END CERTIFICATE-----";
    uint256 private constant END_LENGTH = 25;
    uint256 private constant LINE = 64;

    /**
     * @dev Decodes the block at `data[offset:]`, which must end by `limit`; returns its DER (whose
     * outer SEQUENCE gives the length) and where the next block starts (after the line breaks that
     * follow the END line).
     */
    function decodeCertificate(
        bytes calldata data,
        uint256 offset,
        uint256 limit
    ) internal pure returns (bytes memory der, uint256 next) {
        unchecked {
            if (limit > data.length || !startsWith(data, offset, limit, BEGIN, BEGIN_LENGTH)) {
                revert ITdxAttestationErrors.MalformedPem(offset);
            }
            uint256 at = offset + BEGIN_LENGTH;
            if (!lineEndsAt(data, at + LINE, limit)) revert ITdxAttestationErrors.MalformedPem(at);
            assembly ("memory-safe") {
                der := mload(0x40)
            }
            decode(data, at, LINE, der, 0);
            // A certificate is a SEQUENCE with a two-byte length, so the first line gives its size.
            uint256 header = uint32(bytes4(wordOf(der)));
            if (header >> 16 != 0x3082) revert ITdxAttestationErrors.MalformedPem(at);
            uint256 length = (header & 0xffff) + 4;
            uint256 remaining = ((length + 2) / 3) * 4;
            if (remaining < LINE) revert ITdxAttestationErrors.MalformedPem(at);
            remaining -= LINE;
            at += LINE + 1;
            uint256 written = (LINE / 4) * 3;
            while (remaining != 0) {
                uint256 chars = remaining < LINE ? remaining : LINE;
                if (!lineEndsAt(data, at + chars, limit)) revert ITdxAttestationErrors.MalformedPem(at);
                decode(data, at, chars, der, written);
                written += (chars / 4) * 3;
                at += chars + 1;
                remaining -= chars;
            }
            if (!startsWith(data, at, limit, END, END_LENGTH)) revert ITdxAttestationErrors.MalformedPem(at);
            next = at + END_LENGTH;
            while (next < limit && data[next] == 0x0a) ++next;
            assembly ("memory-safe") {
                mstore(der, length)
                // The decoder writes up to 24 + 32 bytes past what it owns.
                mstore(0x40, add(add(der, 0x60), and(add(written, 63), not(31))))
            }
        }
    }

    /**
     * @dev Decodes `chars` (a multiple of 4) base64 characters at `data[at:]` into 3 bytes per 4,
     * written from `der[written]` on, 32 characters at a time, all in one word (SWAR): each byte is
     * classified by range with carry-free additions (ASCII leaves bit 7 free), offset to its 6-bit
     * value, and the 32 values packed into 24 bytes. Up to 31 characters past `chars` are decoded
     * too; what they write lies past the bytes this call owns, for the next call or the slack
     * {decodeCertificate} reserves.
     */
    function decode(bytes calldata data, uint256 at, uint256 chars, bytes memory der, uint256 written) private pure {
        unchecked {
            assembly ("memory-safe") {
                let high := 0x8080808080808080808080808080808080808080808080808080808080808080
                let output := add(add(der, 0x20), written)
                let input := add(data.offset, at)
                for {
                    let end := add(input, chars)
                } lt(input, end) {
                    input := add(input, 32)
                } {
                    let w := calldataload(input)
                    // w + (128 - k) in every byte has bit 7 set exactly where the byte is at least k.
                    let ge48 := add(w, 0x5050505050505050505050505050505050505050505050505050505050505050)
                    let plus := and(
                        xor(
                            add(w, 0x5555555555555555555555555555555555555555555555555555555555555555),
                            add(w, 0x5454545454545454545454545454545454545454545454545454545454545454)
                        ),
                        high
                    )
                    let slash := and(
                        xor(add(w, 0x5151515151515151515151515151515151515151515151515151515151515151), ge48),
                        high
                    )
                    let digit := and(
                        xor(ge48, add(w, 0x4646464646464646464646464646464646464646464646464646464646464646)),
                        high
                    )
                    let upper := and(
                        xor(
                            add(w, 0x3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f),
                            add(w, 0x2525252525252525252525252525252525252525252525252525252525252525)
                        ),
                        high
                    )
                    let lower := and(
                        xor(
                            add(w, 0x1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f),
                            add(w, 0x0505050505050505050505050505050505050505050505050505050505050505)
                        ),
                        high
                    )
                    // '0'-'9' +4, '+' +19, '/' +16, 'A'-'Z' -65, 'a'-'z' -71: no byte borrows or carries.
                    let v := add(add(w, shr(5, digit)), add(mul(shr(7, plus), 19), shr(3, slash)))
                    // Valid characters give values below 64; others are wrong anyway and fail later.
                    v := sub(v, add(mul(shr(7, upper), 65), mul(shr(7, lower), 71)))
                    // Pack: 2 x 6 bits per 16-bit lane, 4 x 6 per 32-bit lane, then squeeze out the empty bytes.
                    v := or(
                        shr(2, and(v, 0xff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00)),
                        and(v, 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff)
                    )
                    v := or(
                        shr(4, and(v, 0xffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000)),
                        and(v, 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff)
                    )
                    v := or(
                        shr(8, and(v, 0xffffffff00000000ffffffff00000000ffffffff00000000ffffffff00000000)),
                        and(v, 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff)
                    )
                    v := or(
                        shr(16, and(v, 0xffffffffffffffff0000000000000000ffffffffffffffff0000000000000000)),
                        and(v, 0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff)
                    )
                    v := or(
                        shr(32, and(v, 0xffffffffffffffffffffffffffffffff00000000000000000000000000000000)),
                        and(v, 0x00000000000000000000000000000000ffffffffffffffffffffffffffffffff)
                    )
                    mstore(output, shl(64, v))
                    output := add(output, 24)
                }
            }
        }
    }

    function lineEndsAt(bytes calldata data, uint256 at, uint256 limit) private pure returns (bool) {
        if (at >= limit) return false;
        uint256 c;
        assembly ("memory-safe") {
            c := byte(0, calldataload(add(data.offset, at)))
        }
        return c == 0x0a;
    }

    function startsWith(
        bytes calldata data,
        uint256 at,
        uint256 limit,
        bytes32 expected,
        uint256 length
    ) private pure returns (bool) {
        unchecked {
            if (at + length > limit) return false;
            bytes32 mask = ~bytes32(type(uint256).max >> (length * 8));
            bytes32 word;
            assembly ("memory-safe") {
                word := calldataload(add(data.offset, at))
            }
            return word & mask == expected & mask;
        }
    }

    function wordOf(bytes memory der) private pure returns (bytes32 word) {
        unchecked {
            assembly ("memory-safe") {
                word := mload(add(der, 0x20))
            }
        }
    }
}
