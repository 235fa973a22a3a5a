// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ITdxAttestationErrors} from "../ITdxAttestationErrors.sol";

/**
 * @title Timestamps
 * @notice UTC times as Unix seconds, from DER UTCTime / GeneralizedTime and from the ISO 8601
 * times of Intel's JSON collateral (`2025-06-19T10:32:27Z`, fractions of a second allowed).
 */
library Timestamps {
    /// @dev Days from 1970-01-01 to the civil date (proleptic Gregorian, year >= 1970).
    function unixTime(
        uint256 year,
        uint256 month,
        uint256 day,
        uint256 hour,
        uint256 minute,
        uint256 second
    ) internal pure returns (uint256) {
        unchecked {
            // Howard Hinnant's days_from_civil, shifted so March is the first month.
            if (month <= 2) year -= 1;
            uint256 era = year / 400;
            uint256 yearOfEra = year - era * 400;
            uint256 dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
            uint256 dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
            uint256 days_ = era * 146_097 + dayOfEra - 719_468;
            return days_ * 86_400 + hour * 3600 + minute * 60 + second;
        }
    }

    /// @dev The time a DER UTCTime (`YYMMDDHHMMSSZ`) or GeneralizedTime (`YYYYMMDDHHMMSSZ`) holds in `text[start:end]`.
    function fromDer(bytes memory text, uint256 tag, uint256 start, uint256 end) internal pure returns (uint40) {
        unchecked {
            uint256 year;
            uint256 at = start;
            if (tag == 0x17 && end - start == 13) {
                year = digits(text, at, 2);
                year += year < 50 ? 2000 : 1900;
                at += 2;
            } else if (tag == 0x18 && end - start == 15) {
                year = digits(text, at, 4);
                at += 4;
            } else {
                revert ITdxAttestationErrors.MalformedTime(start);
            }
            if (uint8(text[end - 1]) != 0x5a) revert ITdxAttestationErrors.MalformedTime(start); // 'Z'
            return
                checked(
                    year,
                    digits(text, at, 2),
                    digits(text, at + 2, 2),
                    digits(text, at + 4, 2),
                    digits(text, at + 6, 2),
                    digits(text, at + 8, 2),
                    start
                );
        }
    }

    /**
     * @dev The time `YYYY-MM-DDTHH:MM:SS[.fraction]Z` in `text[start:end]`. A fraction rounds up when
     * `roundUp` (a start of validity) and down otherwise (an end), so validity never widens.
     */
    function fromIso8601(bytes memory text, uint256 start, uint256 end, bool roundUp) internal pure returns (uint40) {
        unchecked {
            if (end - start < 20 || uint8(text[end - 1]) != 0x5a) revert ITdxAttestationErrors.MalformedTime(start);
            if (
                text[start + 4] != "-" ||
                text[start + 7] != "-" ||
                text[start + 10] != "T" ||
                text[start + 13] != ":" ||
                text[start + 16] != ":"
            ) revert ITdxAttestationErrors.MalformedTime(start);
            uint256 roundedUp;
            if (end - start > 20) {
                // A fraction: '.' and at least one digit before the 'Z'.
                if (text[start + 19] != "." || end - start == 21) revert ITdxAttestationErrors.MalformedTime(start);
                bool nonZero;
                for (uint256 i = start + 20; i < end - 1; ++i) {
                    if (digits(text, i, 1) != 0) nonZero = true;
                }
                if (nonZero && roundUp) roundedUp = 1;
            }
            return
                uint40(roundedUp) +
                checked(
                    digits(text, start, 4),
                    digits(text, start + 5, 2),
                    digits(text, start + 8, 2),
                    digits(text, start + 11, 2),
                    digits(text, start + 14, 2),
                    digits(text, start + 17, 2),
                    start
                );
        }
    }

    function checked(
        uint256 year,
        uint256 month,
        uint256 day,
        uint256 hour,
        uint256 minute,
        uint256 second,
        uint256 offset
    ) private pure returns (uint40) {
        unchecked {
            if (
                year < 1970 ||
                month == 0 ||
                month > 12 ||
                day == 0 ||
                day > 31 ||
                hour > 23 ||
                minute > 59 ||
                second > 59
            ) {
                revert ITdxAttestationErrors.MalformedTime(offset);
            }
            return uint40(unixTime(year, month, day, hour, minute, second));
        }
    }

    /// @dev The decimal number in the `count` ASCII digits at `text[at]`.
    function digits(bytes memory text, uint256 at, uint256 count) internal pure returns (uint256 value) {
        unchecked {
            if (at + count > text.length) revert ITdxAttestationErrors.MalformedTime(at);
            bool malformed;
            assembly ("memory-safe") {
                let w := mload(add(add(text, 0x20), at))
                for {
                    let i := 0
                } lt(i, count) {
                    i := add(i, 1)
                } {
                    let digit := sub(byte(i, w), 0x30)
                    malformed := or(malformed, gt(digit, 9))
                    value := add(mul(value, 10), digit)
                }
            }
            if (malformed) revert ITdxAttestationErrors.MalformedTime(at);
        }
    }
}
