// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ITdxAttestationErrors} from "../ITdxAttestationErrors.sol";

/**
 * @title TdxQuote
 * @notice Where everything lies in an Intel TDX DCAP quote (v4, or v5 with a TD 1.0 or TD 1.5 body),
 * ECDSA P-256 attestation key and certification data type 6 wrapping the type 5 PCK chain, read
 * as `src/attestation/intel/quote.ts` reads it: every length bounds-checked, bytes past the
 * signature data ignored. Integers in the quote are little-endian.
 */
library TdxQuote {
    uint256 internal constant HEADER_LENGTH = 48;
    uint256 internal constant TD10_REPORT_LENGTH = 584;
    uint256 internal constant TD15_REPORT_LENGTH = 648;
    uint256 internal constant QE_REPORT_LENGTH = 384;
    bytes16 internal constant INTEL_QE_VENDOR_ID = 0x939a7233f79c4ca9940a0db3957f0607;

    // TD report fields, from the start of the body.
    uint256 internal constant TEE_TCB_SVN = 0;
    uint256 internal constant MR_SIGNER_SEAM = 64;
    uint256 internal constant SEAM_ATTRIBUTES = 112;
    uint256 internal constant TD_ATTRIBUTES = 120;
    uint256 internal constant XFAM = 128;
    uint256 internal constant MR_TD = 136;
    uint256 internal constant MR_CONFIG_ID = 184;
    uint256 internal constant MR_OWNER = 232;
    uint256 internal constant MR_OWNER_CONFIG = 280;
    uint256 internal constant RTMR0 = 328;
    uint256 internal constant REPORT_DATA = 520;
    uint256 internal constant TEE_TCB_SVN2 = 584;

    // QE report (SGX enclave report) fields.
    uint256 internal constant QE_MISC_SELECT = 16;
    uint256 internal constant QE_ATTRIBUTES = 48;
    uint256 internal constant QE_MR_SIGNER = 128;
    uint256 internal constant QE_ISV_PROD_ID = 256;
    uint256 internal constant QE_ISV_SVN = 258;
    uint256 internal constant QE_REPORT_DATA = 320;

    struct Layout {
        uint16 version;
        bool tdReport15;
        /// @dev Start of the TD report; header and body, the signed bytes, end at `signedEnd`.
        uint256 body;
        uint256 signedEnd;
        /// @dev The quote signature (r ‖ s), then the attestation key (x ‖ y).
        uint256 signature;
        uint256 qeReport;
        uint256 qeAuthData;
        uint256 qeAuthDataLength;
        /// @dev The PEM PCK certificate chain.
        uint256 pckChain;
        uint256 pckChainEnd;
    }

    function layoutOf(bytes calldata quote) internal pure returns (Layout memory layout) {
        unchecked {
            requireLength(quote, HEADER_LENGTH);
            layout.version = uint16(le(quote, 0, 2));
            if (layout.version != 4 && layout.version != 5)
                revert ITdxAttestationErrors.UnsupportedQuoteVersion(layout.version);
            uint16 keyType = uint16(le(quote, 2, 2));
            if (keyType != 2) revert ITdxAttestationErrors.UnsupportedAttestationKeyType(keyType);
            uint32 teeType = uint32(le(quote, 4, 4));
            if (teeType != 0x81) revert ITdxAttestationErrors.UnsupportedTeeType(teeType);
            bytes16 vendor = bytes16(quote[12:28]);
            if (vendor != INTEL_QE_VENDOR_ID) revert ITdxAttestationErrors.UnknownQeVendor(vendor);

            uint256 bodyLength = TD10_REPORT_LENGTH;
            layout.body = HEADER_LENGTH;
            if (layout.version == 5) {
                requireLength(quote, HEADER_LENGTH + 6);
                uint16 bodyType = uint16(le(quote, HEADER_LENGTH, 2));
                uint32 bodySize = uint32(le(quote, HEADER_LENGTH + 2, 4));
                if (bodyType == 3 && bodySize == TD15_REPORT_LENGTH) {
                    (layout.tdReport15, bodyLength) = (true, TD15_REPORT_LENGTH);
                } else if (bodyType != 2 || bodySize != TD10_REPORT_LENGTH) {
                    revert ITdxAttestationErrors.UnsupportedBodyType(bodyType, bodySize);
                }
                layout.body = HEADER_LENGTH + 6;
            }
            layout.signedEnd = layout.body + bodyLength;
            requireLength(quote, layout.signedEnd + 4);
            uint256 signatureDataEnd = layout.signedEnd + 4 + le(quote, layout.signedEnd, 4);
            requireLength(quote, signatureDataEnd);
            layout.signature = layout.signedEnd + 4;

            uint256 at = layout.signature + 128;
            requireWithin(at + 6, signatureDataEnd);
            uint16 certificationType = uint16(le(quote, at, 2));
            if (certificationType != 6)
                revert ITdxAttestationErrors.UnsupportedCertificationDataType(certificationType);
            uint256 certificationEnd = at + 6 + le(quote, at + 2, 4);
            requireWithin(certificationEnd, signatureDataEnd);
            layout.qeReport = at + 6;
            at = layout.qeReport + QE_REPORT_LENGTH + 64;
            requireWithin(at + 2, certificationEnd);
            layout.qeAuthDataLength = le(quote, at, 2);
            layout.qeAuthData = at + 2;
            at = layout.qeAuthData + layout.qeAuthDataLength;
            requireWithin(at + 6, certificationEnd);
            certificationType = uint16(le(quote, at, 2));
            if (certificationType != 5)
                revert ITdxAttestationErrors.UnsupportedCertificationDataType(certificationType);
            layout.pckChain = at + 6;
            layout.pckChainEnd = layout.pckChain + le(quote, at + 2, 4);
            requireWithin(layout.pckChainEnd, certificationEnd);
        }
    }

    /// @dev The little-endian number of `size` (at most 32) bytes at `quote[at]`; the caller has checked the bounds.
    function le(bytes calldata quote, uint256 at, uint256 size) internal pure returns (uint256 value) {
        assembly ("memory-safe") {
            let w := calldataload(add(quote.offset, at))
            for {
                let i := 0
            } lt(i, size) {
                i := add(i, 1)
            } {
                value := or(value, shl(shl(3, i), byte(i, w)))
            }
        }
    }

    /// @dev The 32 bytes at `quote[at]`; the caller has checked the bounds.
    function word(bytes calldata quote, uint256 at) internal pure returns (bytes32 value) {
        unchecked {
            assembly ("memory-safe") {
                value := calldataload(add(quote.offset, at))
            }
        }
    }

    function requireLength(bytes calldata quote, uint256 needed) private pure {
        unchecked {
            if (quote.length < needed) revert ITdxAttestationErrors.QuoteTruncated(needed, quote.length);
        }
    }

    /// @dev A part that must end within its parent (the parent's end already checked against the quote).
    function requireWithin(uint256 end, uint256 parentEnd) private pure {
        unchecked {
            if (end > parentEnd) revert ITdxAttestationErrors.QuoteTruncated(end, parentEnd);
        }
    }
}
