// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ITdxAttestationErrors} from "../ITdxAttestationErrors.sol";
import {Asn1} from "./Asn1.sol";
import {Timestamps} from "./Timestamps.sol";

/**
 * @title X509
 * @notice The parts of X.509 certificates and CRLs (RFC 5280) that Intel's DCAP PKI uses, read
 * from DER in memory: ECDSA P-256 keys and ecdsa-with-SHA256 signatures only.
 */
library X509 {
    /// @dev AlgorithmIdentifier ecdsa-with-SHA256 (1.2.840.10045.4.3.2), without parameters.
    bytes32 private constant ECDSA_WITH_SHA256 = hex"300a06082a8648ce3d040302";
    uint256 private constant ECDSA_WITH_SHA256_LENGTH = 12;
    /// @dev SubjectPublicKeyInfo of an uncompressed P-256 key, up to the key's x coordinate.
    bytes32 private constant P256_KEY_PREFIX = hex"3059301306072a8648ce3d020106082a8648ce3d03010703420004";
    uint256 private constant P256_KEY_PREFIX_LENGTH = 27;
    /// @dev RFC 5280 bounds serial numbers to 20 bytes.
    uint256 internal constant MAX_SERIAL_BYTES = 20;

    struct Certificate {
        /// @dev Bounds of the whole tbsCertificate item, the signed bytes.
        uint256 tbsStart;
        uint256 tbsEnd;
        uint160 serial;
        /// @dev keccak256 of the issuer and subject Names, whole DER items.
        bytes32 issuerHash;
        bytes32 subjectHash;
        /// @dev Contents of the subject Name.
        uint256 subjectStart;
        uint256 subjectEnd;
        uint40 notBefore;
        uint40 notAfter;
        bytes32 keyX;
        bytes32 keyY;
        /// @dev Contents of the Extensions SEQUENCE; both zero when the certificate has none.
        uint256 extensionsStart;
        uint256 extensionsEnd;
        bytes32 r;
        bytes32 s;
    }

    struct Crl {
        uint256 tbsStart;
        uint256 tbsEnd;
        bytes32 issuerHash;
        uint40 thisUpdate;
        uint40 nextUpdate;
        /// @dev Revoked serial numbers, as listed.
        uint160[] serials;
        bytes32 r;
        bytes32 s;
    }

    /// @dev Parses a certificate that must take up all of `der`.
    function parseCertificate(bytes memory der) internal pure returns (Certificate memory c) {
        unchecked {
            (uint256 start, uint256 end) = Asn1.expect(der, 0, der.length, Asn1.SEQUENCE);
            if (end != der.length) revert ITdxAttestationErrors.MalformedDer(0);
            c.tbsStart = start;
            uint256 tbsContents;
            (tbsContents, c.tbsEnd) = Asn1.expect(der, start, end, Asn1.SEQUENCE);
            uint256 at = readTbsHead(der, c, tbsContents);
            at = readTbsTail(der, c, at);
            if (at != c.tbsEnd) revert ITdxAttestationErrors.MalformedDer(at);
            (c.r, c.s) = readSignature(der, c.tbsEnd, end);
        }
    }

    /// @dev version, serialNumber, signature, issuer, validity.
    function readTbsHead(bytes memory der, Certificate memory c, uint256 at) private pure returns (uint256) {
        unchecked {
            uint256 limit = c.tbsEnd;
            if (Asn1.tagAt(der, at, limit) == 0xa0) (, at) = Asn1.expect(der, at, limit, 0xa0);
            uint256 serial;
            uint256 length;
            uint256 serialOffset = at;
            (serial, length, at) = Asn1.unsignedAt(der, at, limit);
            if (length > MAX_SERIAL_BYTES) revert ITdxAttestationErrors.SerialNumberTooLong(serialOffset);
            c.serial = uint160(serial);
            at = expectAlgorithm(der, at, limit);
            uint256 end;
            (, end) = Asn1.expect(der, at, limit, Asn1.SEQUENCE);
            c.issuerHash = Asn1.hashOf(der, at, end);
            uint256 validityEnd;
            (at, validityEnd) = Asn1.expect(der, end, limit, Asn1.SEQUENCE);
            (c.notBefore, at) = readTime(der, at, validityEnd);
            (c.notAfter, at) = readTime(der, at, validityEnd);
            if (at != validityEnd) revert ITdxAttestationErrors.MalformedDer(at);
            return at;
        }
    }

    /// @dev subject, subjectPublicKeyInfo, then the optional unique IDs and extensions.
    function readTbsTail(bytes memory der, Certificate memory c, uint256 at) private pure returns (uint256) {
        unchecked {
            uint256 limit = c.tbsEnd;
            uint256 end;
            (c.subjectStart, end) = Asn1.expect(der, at, limit, Asn1.SEQUENCE);
            c.subjectEnd = end;
            c.subjectHash = Asn1.hashOf(der, at, end);
            at = end;
            (, end) = Asn1.expect(der, at, limit, Asn1.SEQUENCE);
            if (
                end - at != P256_KEY_PREFIX_LENGTH + 64 ||
                !Asn1.startsWith(der, at, end, P256_KEY_PREFIX, P256_KEY_PREFIX_LENGTH)
            ) {
                revert ITdxAttestationErrors.UnsupportedAlgorithm(at);
            }
            c.keyX = Asn1.wordAt(der, at + P256_KEY_PREFIX_LENGTH);
            c.keyY = Asn1.wordAt(der, at + P256_KEY_PREFIX_LENGTH + 32);
            at = end;
            // issuerUniqueID [1] and subjectUniqueID [2] carry nothing verification needs.
            while (at < limit) {
                uint256 tag;
                uint256 start;
                (tag, start, end) = Asn1.read(der, at, limit);
                if (tag == 0xa3) {
                    (c.extensionsStart, c.extensionsEnd) = Asn1.expect(der, start, end, Asn1.SEQUENCE);
                    if (c.extensionsEnd != end) revert ITdxAttestationErrors.MalformedDer(start);
                } else if (tag != 0x81 && tag != 0x82) {
                    revert ITdxAttestationErrors.MalformedDer(at);
                }
                at = end;
            }
            return at;
        }
    }

    /// @dev Parses a CRL that must take up all of `der`; it must have a nextUpdate.
    function parseCrl(bytes memory der) internal pure returns (Crl memory crl) {
        unchecked {
            (uint256 start, uint256 end) = Asn1.expect(der, 0, der.length, Asn1.SEQUENCE);
            if (end != der.length) revert ITdxAttestationErrors.MalformedDer(0);
            crl.tbsStart = start;
            uint256 at;
            (at, crl.tbsEnd) = Asn1.expect(der, start, end, Asn1.SEQUENCE);
            uint256 limit = crl.tbsEnd;
            if (Asn1.tagAt(der, at, limit) == Asn1.INTEGER) (, , at) = Asn1.unsignedAt(der, at, limit);
            at = expectAlgorithm(der, at, limit);
            uint256 nameEnd;
            (, nameEnd) = Asn1.expect(der, at, limit, Asn1.SEQUENCE);
            crl.issuerHash = Asn1.hashOf(der, at, nameEnd);
            (crl.thisUpdate, at) = readTime(der, nameEnd, limit);
            // A CRL without nextUpdate never becomes stale, so it is refused (as off-chain).
            (crl.nextUpdate, at) = readTime(der, at, limit);
            if (Asn1.tagAt(der, at, limit) == Asn1.SEQUENCE) {
                uint256 listEnd;
                (at, listEnd) = Asn1.expect(der, at, limit, Asn1.SEQUENCE);
                crl.serials = readRevokedSerials(der, at, listEnd);
                at = listEnd;
            }
            if (Asn1.tagAt(der, at, limit) == 0xa0) (, at) = Asn1.expect(der, at, limit, 0xa0);
            if (at != limit) revert ITdxAttestationErrors.MalformedDer(at);
            (crl.r, crl.s) = readSignature(der, limit, end);
        }
    }

    /// @dev The userCertificate of every entry of revokedCertificates (contents `der[start:end]`).
    function readRevokedSerials(
        bytes memory der,
        uint256 start,
        uint256 end
    ) private pure returns (uint160[] memory serials) {
        unchecked {
            uint256 count;
            for (uint256 at = start; at < end; ++count) (, at) = Asn1.expect(der, at, end, Asn1.SEQUENCE);
            serials = new uint160[](count);
            uint256 at = start;
            for (uint256 i; i < count; ++i) {
                (uint256 entryStart, uint256 entryEnd) = Asn1.expect(der, at, end, Asn1.SEQUENCE);
                (uint256 serial, uint256 length, ) = Asn1.unsignedAt(der, entryStart, entryEnd);
                if (length > MAX_SERIAL_BYTES) revert ITdxAttestationErrors.SerialNumberTooLong(entryStart);
                serials[i] = uint160(serial);
                at = entryEnd;
            }
        }
    }

    /// @dev keccak256 of the value of the subject's first commonName (2.5.4.3), zero when it has none.
    function commonNameHash(bytes memory der, Certificate memory c) internal pure returns (bytes32) {
        unchecked {
            uint256 at = c.subjectStart;
            while (at < c.subjectEnd) {
                (uint256 setStart, uint256 setEnd) = Asn1.expect(der, at, c.subjectEnd, Asn1.SET);
                for (uint256 inner = setStart; inner < setEnd;) {
                    (uint256 start, uint256 end) = Asn1.expect(der, inner, setEnd, Asn1.SEQUENCE);
                    (uint256 oidStart, uint256 oidEnd) = Asn1.expect(der, start, end, Asn1.OBJECT_IDENTIFIER);
                    if (oidEnd - oidStart == 3 && Asn1.startsWith(der, oidStart, oidEnd, hex"550403", 3)) {
                        (, uint256 valueStart, uint256 valueEnd) = Asn1.read(der, oidEnd, end);
                        return Asn1.hashOf(der, valueStart, valueEnd);
                    }
                    inner = end;
                }
                at = setEnd;
            }
            return 0;
        }
    }

    function expectAlgorithm(bytes memory der, uint256 at, uint256 limit) private pure returns (uint256 end) {
        unchecked {
            (, end) = Asn1.expect(der, at, limit, Asn1.SEQUENCE);
            if (
                end - at != ECDSA_WITH_SHA256_LENGTH ||
                !Asn1.startsWith(der, at, end, ECDSA_WITH_SHA256, ECDSA_WITH_SHA256_LENGTH)
            ) {
                revert ITdxAttestationErrors.UnsupportedAlgorithm(at);
            }
        }
    }

    function readTime(bytes memory der, uint256 at, uint256 limit) private pure returns (uint40 time, uint256 end) {
        unchecked {
            (uint256 tag, uint256 start, uint256 itemEnd) = Asn1.read(der, at, limit);
            time = Timestamps.fromDer(der, tag, start, itemEnd);
            end = itemEnd;
        }
    }

    /// @dev signatureAlgorithm and signatureValue after the signed part, ending at `end`: (r, s).
    function readSignature(bytes memory der, uint256 at, uint256 end) private pure returns (bytes32 r, bytes32 s) {
        unchecked {
            at = expectAlgorithm(der, at, end);
            (uint256 start, uint256 bitsEnd) = Asn1.expect(der, at, end, Asn1.BIT_STRING);
            if (bitsEnd != end || start == bitsEnd || Asn1.wordAt(der, start)[0] != 0)
                revert ITdxAttestationErrors.MalformedDer(at);
            (uint256 sequenceStart, uint256 sequenceEnd) = Asn1.expect(der, start + 1, bitsEnd, Asn1.SEQUENCE);
            if (sequenceEnd != bitsEnd) revert ITdxAttestationErrors.MalformedDer(start);
            (uint256 rValue, , uint256 next) = Asn1.unsignedAt(der, sequenceStart, sequenceEnd);
            (uint256 sValue, , uint256 last) = Asn1.unsignedAt(der, next, sequenceEnd);
            if (last != sequenceEnd) revert ITdxAttestationErrors.MalformedDer(next);
            (r, s) = (bytes32(rValue), bytes32(sValue));
        }
    }
}
