// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ITdxAttestationErrors} from "../ITdxAttestationErrors.sol";
import {Asn1} from "./Asn1.sol";
import {X509} from "./X509.sol";

/**
 * @title PckCertificate
 * @notice Intel's SGX extension (OID 1.2.840.113741.1.13.1) of a PCK certificate: what it states
 * about the platform, read as `src/attestation/intel/pckExtensions.ts` reads it.
 */
library PckCertificate {
    /// @dev The extnID item of the SGX extension.
    bytes32 private constant SGX_EXTENSION_ID = hex"06092a864886f84d010d01";
    /// @dev The contents of the SGX extension's OID, which every field's OID extends by one or two arcs.
    bytes32 private constant SGX_OID = hex"2a864886f84d010d01";

    struct SgxExtension {
        bytes16 ppid;
        /// @dev The 16 SGX TCB component SVNs, one byte each.
        bytes16 sgxTcbComponents;
        uint16 pceSvn;
        bytes16 cpuSvn;
        bytes2 pceId;
        bytes6 fmspc;
        /// @dev Zero unless the certificate names a platform instance (multi-package platforms).
        bytes16 platformInstanceId;
    }

    /// @dev Bits of {readSgxExtension}'s `found`: one per required field.
    uint256 private constant PPID = 1;
    uint256 private constant TCB = 2;
    uint256 private constant PCE_ID = 4;
    uint256 private constant FMSPC = 8;
    uint256 private constant ALL_REQUIRED = 15;

    /// @dev The SGX extension of the parsed certificate `c` (DER `der`); reverts when it or a required field is missing.
    function readSgxExtension(
        bytes memory der,
        X509.Certificate memory c
    ) internal pure returns (SgxExtension memory extension) {
        unchecked {
            uint256 at = c.extensionsStart;
            while (at < c.extensionsEnd) {
                (uint256 start, uint256 end) = Asn1.expect(der, at, c.extensionsEnd, Asn1.SEQUENCE);
                if (Asn1.startsWith(der, start, end, SGX_EXTENSION_ID, 11)) {
                    uint256 valueAt = start + 11;
                    if (Asn1.tagAt(der, valueAt, end) == 0x01) (, valueAt) = Asn1.expect(der, valueAt, end, 0x01);
                    (uint256 valueStart, uint256 valueEnd) = Asn1.expect(der, valueAt, end, Asn1.OCTET_STRING);
                    return readFields(der, valueStart, valueEnd);
                }
                at = end;
            }
            revert ITdxAttestationErrors.MalformedPckExtension(0);
        }
    }

    /// @dev SEQUENCE OF SEQUENCE { OID, value }, which must be all of `der[start:end]`.
    function readFields(bytes memory der, uint256 start, uint256 end) private pure returns (SgxExtension memory e) {
        unchecked {
            uint256 at;
            uint256 limit;
            (at, limit) = Asn1.expect(der, start, end, Asn1.SEQUENCE);
            if (limit != end) revert ITdxAttestationErrors.MalformedPckExtension(0);
            uint256 found;
            while (at < limit) {
                (uint256 fieldStart, uint256 fieldEnd) = Asn1.expect(der, at, limit, Asn1.SEQUENCE);
                (uint256 arc, uint256 valueAt) = sgxArc(der, fieldStart, fieldEnd, 10);
                (uint256 tag, uint256 valueStart, uint256 valueEnd) = Asn1.read(der, valueAt, fieldEnd);
                if (arc == 1) {
                    e.ppid = bytes16(octets(der, tag, valueStart, valueEnd, 16, arc));
                    found |= PPID;
                } else if (arc == 2) {
                    if (tag != Asn1.SEQUENCE) revert ITdxAttestationErrors.MalformedPckExtension(arc);
                    readTcb(der, valueStart, valueEnd, e);
                    found |= TCB;
                } else if (arc == 3) {
                    e.pceId = bytes2(octets(der, tag, valueStart, valueEnd, 2, arc));
                    found |= PCE_ID;
                } else if (arc == 4) {
                    e.fmspc = bytes6(octets(der, tag, valueStart, valueEnd, 6, arc));
                    found |= FMSPC;
                } else if (arc == 6) {
                    e.platformInstanceId = bytes16(octets(der, tag, valueStart, valueEnd, 16, arc));
                }
                at = fieldEnd;
            }
            if (found != ALL_REQUIRED) revert ITdxAttestationErrors.MalformedPckExtension(found);
        }
    }

    /// @dev The TCB field: components 1-16, PCESVN (17) and CPUSVN (18).
    function readTcb(bytes memory der, uint256 at, uint256 limit, SgxExtension memory e) private pure {
        unchecked {
            uint256 components;
            uint256 found;
            while (at < limit) {
                (uint256 fieldStart, uint256 fieldEnd) = Asn1.expect(der, at, limit, Asn1.SEQUENCE);
                (uint256 arc, uint256 valueAt) = sgxArc(der, fieldStart, fieldEnd, 11);
                if (arc >> 8 == 2) {
                    arc &= 0xff;
                    if (arc >= 1 && arc <= 16) {
                        (uint256 svn, uint256 length, ) = Asn1.unsignedAt(der, valueAt, fieldEnd);
                        if (length > 1) revert ITdxAttestationErrors.ValueOutOfRange(valueAt);
                        uint256 shift = 8 * (16 - arc);
                        components = (components & ~(uint256(0xff) << shift)) | (svn << shift);
                        found |= 1 << arc;
                    } else if (arc == 17) {
                        (uint256 pceSvn, uint256 length, ) = Asn1.unsignedAt(der, valueAt, fieldEnd);
                        if (length > 2) revert ITdxAttestationErrors.ValueOutOfRange(valueAt);
                        e.pceSvn = uint16(pceSvn);
                        found |= 1 << arc;
                    } else if (arc == 18) {
                        (uint256 tag, uint256 valueStart, uint256 valueEnd) = Asn1.read(der, valueAt, fieldEnd);
                        e.cpuSvn = bytes16(octets(der, tag, valueStart, valueEnd, 16, 0x218));
                        found |= 1 << arc;
                    }
                }
                at = fieldEnd;
            }
            // Components 1-16, PCESVN and CPUSVN: bits 1 to 18.
            if (found != 0x7fffe) revert ITdxAttestationErrors.MalformedPckExtension(2);
            e.sgxTcbComponents = bytes16(uint128(components));
        }
    }

    /**
     * @dev The OID at the start of a field (`der[start:end]`) must extend the SGX OID: by one arc
     * when `length` is 10 (returned as is), by two when 11 (returned as `first << 8 | second`);
     * any other OID gives 0. Also returns where the field's value starts.
     */
    function sgxArc(
        bytes memory der,
        uint256 start,
        uint256 end,
        uint256 length
    ) private pure returns (uint256 arc, uint256 valueAt) {
        unchecked {
            (uint256 oidStart, uint256 oidEnd) = Asn1.expect(der, start, end, Asn1.OBJECT_IDENTIFIER);
            valueAt = oidEnd;
            if (oidEnd - oidStart != length || !Asn1.startsWith(der, oidStart, oidEnd, SGX_OID, 9)) return (0, valueAt);
            bytes32 word = Asn1.wordAt(der, oidStart + 9);
            // Arcs above 127 would take two bytes; Intel's are all small.
            arc = uint8(word[0]);
            if (arc > 0x7f) return (0, valueAt);
            if (length == 11) {
                if (uint8(word[1]) > 0x7f) return (0, valueAt);
                arc = (arc << 8) | uint8(word[1]);
            }
        }
    }

    function octets(
        bytes memory der,
        uint256 tag,
        uint256 start,
        uint256 end,
        uint256 length,
        uint256 field
    ) private pure returns (bytes32) {
        unchecked {
            if (tag != Asn1.OCTET_STRING || end - start != length)
                revert ITdxAttestationErrors.MalformedPckExtension(field);
            return Asn1.wordAt(der, start) & ~bytes32(type(uint256).max >> (length * 8));
        }
    }
}
