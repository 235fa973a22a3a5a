// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IntelCollateralParser} from "./IntelCollateralParser.sol";
import {IntelRootCa} from "./IntelRootCa.sol";
import {ITdxCollateralStore, QuoteIdentities} from "./ITdxCollateralStore.sol";
import {TcbAssessment, TdxPlatformTcb} from "./ITdxQuoteVerifier.sol";
import {Asn1} from "./lib/Asn1.sol";
import {Blob} from "./lib/Blob.sol";
import {CollateralLayout as L} from "./lib/CollateralLayout.sol";
import {IntelCollateralJson} from "./lib/IntelCollateralJson.sol";
import {P256} from "./lib/P256.sol";
import {TcbEvaluation} from "./lib/TcbEvaluation.sol";
import {X509} from "./lib/X509.sol";

/**
 * @title TdxCollateralStore
 * @notice {ITdxCollateralStore}: Intel's TDX collateral, each document verified to the root when it
 * is posted and kept in compact form, parsed TCB info and QE identity and sorted CRL serials in
 * contracts of their own ({Blob}) so a verification reads each with one EXTCODECOPY.
 * @dev The root is fixed at deployment. Production deploys pass no stand-in: the root is then the
 * pinned {IntelRootCa}. A non-empty `standInRootCertificate` (a self-signed P-256 certificate)
 * makes a test PKI the root, visible on-chain as {rootKeyHash} and {usesIntelRoot}.
 */
contract TdxCollateralStore is ITdxCollateralStore {
    /// @dev One revocation list per storage contract: 20 bytes per serial within the 24,576-byte code limit.
    uint256 private constant MAX_CRL_ENTRIES = 1228;

    struct StoredCrl {
        uint40 thisUpdate;
        uint40 nextUpdate;
        uint16 revokedCount;
        /// @dev The sorted revoked serials, 20 bytes each; zero when none.
        address serials;
    }

    struct StoredDocument {
        /// @dev The compact document ({CollateralLayout}) and its length.
        address data;
        uint16 length;
        uint32 tcbEvaluationDataNumber;
        uint40 issueDate;
    }

    struct Root {
        bytes32 keyX;
        bytes32 keyY;
        bytes32 keyHash;
        bytes32 subjectHash;
        uint160 serial;
        uint40 notBefore;
        uint40 notAfter;
    }

    bytes32 private immutable _rootKeyX;
    bytes32 private immutable _rootKeyY;
    bytes32 private immutable _rootKeyHash;
    bytes32 private immutable _rootSubjectHash;
    uint160 private immutable _rootSerial;
    uint40 private immutable _rootNotBefore;
    uint40 private immutable _rootNotAfter;

    mapping(bytes32 certificateHash => CachedCertificate) private _certificates;
    mapping(bytes32 subjectHash => bytes32 certificateHash) private _pckCaBySubject;
    mapping(bytes32 issuerKeyHash => StoredCrl) private _crls;
    mapping(bytes6 fmspc => StoredDocument) private _tcbInfos;
    StoredDocument private _qeIdentity;
    IntelCollateralParser private immutable _parser;

    /**
     * @param parser The parser of Intel's JSON collateral.
     * @param standInRootCertificate Empty in production (Intel's SGX Root CA); a self-signed DER certificate in tests only.
     */
    constructor(IntelCollateralParser parser, bytes memory standInRootCertificate) {
        _parser = parser;
        bytes memory der = standInRootCertificate.length == 0 ? IntelRootCa.CERTIFICATE : standInRootCertificate;
        X509.Certificate memory root = X509.parseCertificate(der);
        if (
            root.issuerHash != root.subjectHash ||
            !P256.verify(tbsDigest(der, root), root.r, root.s, root.keyX, root.keyY)
        ) {
            revert RootNotSelfSigned();
        }
        bytes32 keyHash = keyHashOf(root.keyX, root.keyY);
        (_rootKeyX, _rootKeyY, _rootKeyHash, _rootSubjectHash) = (root.keyX, root.keyY, keyHash, root.subjectHash);
        (_rootSerial, _rootNotBefore, _rootNotAfter) = (root.serial, root.notBefore, root.notAfter);
        emit RootOfTrust(keyHash, keyHash == IntelRootCa.KEY_HASH, root.notBefore, root.notAfter);
    }

    // ----- posting -----

    /// @inheritdoc ITdxCollateralStore
    function cacheCertificate(bytes calldata der) external returns (bytes32 certificateHash) {
        certificateHash = keccak256(der);
        if (_certificates[certificateHash].role != CertificateRole.None) return certificateHash;
        Root memory root = rootOf();
        requireCurrent(root.serial, root.notBefore, root.notAfter);
        bytes memory certificateDer = der;
        X509.Certificate memory c = X509.parseCertificate(certificateDer);
        if (c.issuerHash != root.subjectHash) revert IssuerMismatch(c.issuerHash, root.subjectHash);
        if (!P256.verify(tbsDigest(certificateDer, c), c.r, c.s, root.keyX, root.keyY))
            revert SignatureInvalid(root.keyHash);
        requireCurrent(c.serial, c.notBefore, c.notAfter);
        CertificateRole role = roleOf(X509.commonNameHash(certificateDer, c));
        _certificates[certificateHash] = CachedCertificate({
            role: role,
            notBefore: c.notBefore,
            notAfter: c.notAfter,
            serial: c.serial,
            subjectHash: c.subjectHash,
            keyX: c.keyX,
            keyY: c.keyY
        });
        if (role == CertificateRole.PckPlatformCa || role == CertificateRole.PckProcessorCa) {
            bytes32 current = _pckCaBySubject[c.subjectHash];
            if (current == 0 || _certificates[current].notBefore < c.notBefore)
                _pckCaBySubject[c.subjectHash] = certificateHash;
        }
        emit CertificateCached(certificateHash, role, c.subjectHash, c.serial, c.notBefore, c.notAfter);
    }

    /// @inheritdoc ITdxCollateralStore
    function postCrl(bytes calldata der, bytes32 issuerCertificateHash) external {
        (bytes32 keyX, bytes32 keyY, bytes32 subjectHash) = crlIssuerOf(issuerCertificateHash);
        bytes32 issuerKeyHash = keyHashOf(keyX, keyY);
        bytes memory crlDer = der;
        X509.Crl memory crl = X509.parseCrl(crlDer);
        if (crl.issuerHash != subjectHash) revert IssuerMismatch(crl.issuerHash, subjectHash);
        if (!P256.verify(Asn1.sha256Of(crlDer, crl.tbsStart, crl.tbsEnd), crl.r, crl.s, keyX, keyY)) {
            revert SignatureInvalid(issuerKeyHash);
        }
        if (!isCurrent(crl.thisUpdate, crl.nextUpdate)) revert DocumentNotCurrent(crl.thisUpdate, crl.nextUpdate);
        StoredCrl storage stored = _crls[issuerKeyHash];
        uint40 replaced = stored.thisUpdate;
        if (replaced != 0 && crl.thisUpdate <= replaced) revert CrlNotNewer(replaced, crl.thisUpdate);
        (bytes memory serials, uint256 count) = sortedSerials(crl.serials);
        stored.thisUpdate = crl.thisUpdate;
        stored.nextUpdate = crl.nextUpdate;
        stored.revokedCount = uint16(count);
        stored.serials = count == 0 ? address(0) : Blob.write(serials);
        emit CrlPosted(issuerKeyHash, crl.thisUpdate, crl.nextUpdate, count, replaced, keccak256(der));
    }

    /// @inheritdoc ITdxCollateralStore
    function postTcbInfo(bytes calldata tcbInfo, bytes calldata signature, bytes32 signerCertificateHash) external {
        bytes32 digest = verifiedDigest(tcbInfo, signature, signerCertificateHash);
        (bytes memory compact, IntelCollateralJson.Document memory d) = _parser.parseTcbInfo(tcbInfo);
        uint32 replaced = storeDocument(_tcbInfos[d.fmspc], compact, d, signerCertificateHash);
        emit TcbInfoPosted(d.fmspc, d.tcbEvaluationDataNumber, d.issueDate, d.nextUpdate, replaced, digest);
    }

    /// @inheritdoc ITdxCollateralStore
    function postQeIdentity(
        bytes calldata qeIdentity,
        bytes calldata signature,
        bytes32 signerCertificateHash
    ) external {
        bytes32 digest = verifiedDigest(qeIdentity, signature, signerCertificateHash);
        (bytes memory compact, IntelCollateralJson.Document memory d) = _parser.parseQeIdentity(qeIdentity);
        uint32 replaced = storeDocument(_qeIdentity, compact, d, signerCertificateHash);
        emit QeIdentityPosted(d.tcbEvaluationDataNumber, d.issueDate, d.nextUpdate, replaced, digest);
    }

    // ----- reading -----

    /// @inheritdoc ITdxCollateralStore
    function certificate(bytes32 certificateHash) public view returns (CachedCertificate memory cached) {
        cached = _certificates[certificateHash];
        if (cached.role == CertificateRole.None) revert CertificateNotCached(certificateHash);
    }

    /// @inheritdoc ITdxCollateralStore
    function pckCaBySubject(
        bytes32 subjectHash
    ) external view returns (bytes32 certificateHash, CachedCertificate memory cached) {
        certificateHash = _pckCaBySubject[subjectHash];
        if (certificateHash != 0) cached = _certificates[certificateHash];
    }

    /// @inheritdoc ITdxCollateralStore
    function crlOf(
        bytes32 issuerKeyHash
    ) external view returns (uint40 thisUpdate, uint40 nextUpdate, uint256 revokedCount) {
        StoredCrl storage stored = _crls[issuerKeyHash];
        return (stored.thisUpdate, stored.nextUpdate, stored.revokedCount);
    }

    /// @inheritdoc ITdxCollateralStore
    function tcbInfoOf(
        bytes6 fmspc
    ) external view returns (uint32 tcbEvaluationDataNumber, uint40 issueDate, uint40 nextUpdate) {
        return summaryOf(_tcbInfos[fmspc]);
    }

    /// @inheritdoc ITdxCollateralStore
    function qeIdentityOf()
        external
        view
        returns (uint32 tcbEvaluationDataNumber, uint40 issueDate, uint40 nextUpdate)
    {
        return summaryOf(_qeIdentity);
    }

    /// @inheritdoc ITdxCollateralStore
    function assessPlatform(
        TdxPlatformTcb calldata tcb,
        QuoteIdentities calldata identities
    ) external view returns (TcbAssessment memory) {
        return assess(tcb, identities, true);
    }

    /// @inheritdoc ITdxCollateralStore
    function tcbStatusOf(TdxPlatformTcb calldata tcb) external view returns (TcbAssessment memory) {
        QuoteIdentities memory none;
        return assess(tcb, none, false);
    }

    /// @inheritdoc ITdxCollateralStore
    function rootKeyHash() external view returns (bytes32) {
        return _rootKeyHash;
    }

    /// @inheritdoc ITdxCollateralStore
    function usesIntelRoot() external view returns (bool) {
        return _rootKeyHash == IntelRootCa.KEY_HASH;
    }

    // ----- assessment -----

    /// @dev The checks of {assessPlatform}, in the off-chain verifier's order, and the validity of what they used.
    function assess(
        TdxPlatformTcb memory tcb,
        QuoteIdentities memory identities,
        bool matchIdentities
    ) private view returns (TcbAssessment memory assessment) {
        Root memory root = rootOf();
        requireCurrent(root.serial, root.notBefore, root.notAfter);
        CachedCertificate memory ca = certificate(tcb.pckCaCertificateHash);
        if (ca.role != CertificateRole.PckPlatformCa && ca.role != CertificateRole.PckProcessorCa) {
            revert WrongCertificateRole(tcb.pckCaCertificateHash, uint8(ca.role));
        }
        requireCurrent(ca.serial, ca.notBefore, ca.notAfter);
        if (block.timestamp > tcb.pckNotAfter) revert CertificateNotCurrent(tcb.pckSerial, 0, tcb.pckNotAfter);
        StoredCrl memory rootCrl = currentCrl(root.keyHash);
        requireNotRevoked(rootCrl, ca.serial, root.keyHash);
        bytes32 caKeyHash = keyHashOf(ca.keyX, ca.keyY);
        StoredCrl memory pckCrl = currentCrl(caKeyHash);
        requireNotRevoked(pckCrl, tcb.pckSerial, caKeyHash);

        StoredDocument memory stored = _tcbInfos[tcb.fmspc];
        if (stored.data == address(0)) revert TcbInfoMissing(tcb.fmspc);
        bytes memory tcbInfo = Blob.read(stored.data, stored.length);
        (uint40 issueDate, uint40 nextUpdate) = validityOf(tcbInfo);
        if (!isCurrent(issueDate, nextUpdate)) revert TcbInfoNotCurrent(tcb.fmspc, issueDate, nextUpdate);
        uint40 tcbSignerNotAfter = requireSignerUsable(tcbInfo, rootCrl, root.keyHash);
        bytes2 pceId = bytes2(L.readBytes(tcbInfo, L.TCB_PCE_ID, 2));
        if (pceId != tcb.pceId) revert PceIdMismatch(tcb.pceId, pceId);

        stored = _qeIdentity;
        if (stored.data == address(0)) revert QeIdentityMissing();
        bytes memory qeIdentity = Blob.read(stored.data, stored.length);
        (uint40 qeIssueDate, uint40 qeNextUpdate) = validityOf(qeIdentity);
        if (!isCurrent(qeIssueDate, qeNextUpdate)) revert QeIdentityNotCurrent(qeIssueDate, qeNextUpdate);
        uint40 qeSignerNotAfter = requireSignerUsable(qeIdentity, rootCrl, root.keyHash);

        if (matchIdentities) TcbEvaluation.matchIdentities(tcbInfo, qeIdentity, tcb.teeTcbSvn, identities);
        TcbEvaluation.Result memory result = TcbEvaluation.evaluate(tcbInfo, qeIdentity, tcb);
        assessment.status = result.status;
        assessment.advisoryIds = result.advisoryIds;
        assessment.tcbDate = result.tcbDate;
        assessment.tcbEvaluationDataNumber = uint32(L.read(tcbInfo, L.EVALUATION_NUMBER, 4));
        assessment.validUntil = min(
            min(min(root.notAfter, ca.notAfter), min(tcb.pckNotAfter, rootCrl.nextUpdate)),
            min(min(pckCrl.nextUpdate, nextUpdate), min(min(tcbSignerNotAfter, qeNextUpdate), qeSignerNotAfter))
        );
    }

    /// @dev The CRL of the CA with `issuerKeyHash`, which must be current.
    function currentCrl(bytes32 issuerKeyHash) private view returns (StoredCrl memory crl) {
        crl = _crls[issuerKeyHash];
        if (crl.thisUpdate == 0) revert CrlMissing(issuerKeyHash);
        if (!isCurrent(crl.thisUpdate, crl.nextUpdate))
            revert CrlNotCurrent(issuerKeyHash, crl.thisUpdate, crl.nextUpdate);
    }

    /// @dev Binary search of the CRL's sorted serials.
    function requireNotRevoked(StoredCrl memory crl, uint160 serial, bytes32 issuerKeyHash) private view {
        if (crl.revokedCount == 0) return;
        bytes memory serials = Blob.read(crl.serials, uint256(crl.revokedCount) * 20);
        uint256 low;
        uint256 high = crl.revokedCount;
        while (low < high) {
            uint256 middle = (low + high) / 2;
            uint160 listed = uint160(L.read(serials, middle * 20, 20));
            if (listed == serial) revert CertificateRevoked(serial, issuerKeyHash);
            if (listed < serial) low = middle + 1;
            else high = middle;
        }
    }

    /// @dev The TCB signing certificate of a stored document must still be valid and not revoked by the root CRL.
    function requireSignerUsable(
        bytes memory document,
        StoredCrl memory rootCrl,
        bytes32 rootKeyHash_
    ) private view returns (uint40 notAfter) {
        notAfter = uint40(L.read(document, L.SIGNER_NOT_AFTER, 5));
        uint160 serial = uint160(L.read(document, L.SIGNER_SERIAL, 20));
        if (block.timestamp > notAfter) revert CertificateNotCurrent(serial, 0, notAfter);
        requireNotRevoked(rootCrl, serial, rootKeyHash_);
    }

    // ----- helpers of posting -----

    /// @dev The key and subject of the CA that issues a CRL: the root, or a cached PCK CA valid now.
    function crlIssuerOf(
        bytes32 issuerCertificateHash
    ) private view returns (bytes32 keyX, bytes32 keyY, bytes32 subjectHash) {
        if (issuerCertificateHash == 0) {
            Root memory root = rootOf();
            requireCurrent(root.serial, root.notBefore, root.notAfter);
            return (root.keyX, root.keyY, root.subjectHash);
        }
        CachedCertificate memory ca = certificate(issuerCertificateHash);
        if (ca.role != CertificateRole.PckPlatformCa && ca.role != CertificateRole.PckProcessorCa) {
            revert WrongCertificateRole(issuerCertificateHash, uint8(ca.role));
        }
        requireCurrent(ca.serial, ca.notBefore, ca.notAfter);
        return (ca.keyX, ca.keyY, ca.subjectHash);
    }

    /**
     * @dev SHA-256 of `document`, once its signature verifies with the cached TCB signing certificate,
     * valid now and not revoked by the current root CRL (so a document signed by a revoked key
     * cannot displace a genuine one).
     */
    function verifiedDigest(
        bytes calldata document,
        bytes calldata signature,
        bytes32 signerCertificateHash
    ) private view returns (bytes32 digest) {
        CachedCertificate memory signer = certificate(signerCertificateHash);
        if (signer.role != CertificateRole.TcbSigning)
            revert WrongCertificateRole(signerCertificateHash, uint8(signer.role));
        requireCurrent(signer.serial, signer.notBefore, signer.notAfter);
        Root memory root = rootOf();
        requireNotRevoked(currentCrl(root.keyHash), signer.serial, root.keyHash);
        digest = sha256(document);
        if (
            signature.length != 64 ||
            !P256.verify(digest, bytes32(signature[0:32]), bytes32(signature[32:64]), signer.keyX, signer.keyY)
        ) {
            revert CollateralSignatureInvalid();
        }
    }

    /**
     * @dev Keeps a parsed TCB info or QE identity if it is current and newer than `stored`, with its
     * signer's end of validity and serial; returns the evaluation number it replaced.
     */
    function storeDocument(
        StoredDocument storage stored,
        bytes memory compact,
        IntelCollateralJson.Document memory d,
        bytes32 signerCertificateHash
    ) private returns (uint32 replaced) {
        if (!isCurrent(d.issueDate, d.nextUpdate)) revert DocumentNotCurrent(d.issueDate, d.nextUpdate);
        replaced = stored.tcbEvaluationDataNumber;
        uint40 replacedIssueDate = stored.issueDate;
        if (
            stored.data != address(0) &&
            (d.tcbEvaluationDataNumber < replaced ||
                (d.tcbEvaluationDataNumber == replaced && d.issueDate <= replacedIssueDate))
        ) revert CollateralNotNewer(replaced, replacedIssueDate, d.tcbEvaluationDataNumber, d.issueDate);
        CachedCertificate storage signer = _certificates[signerCertificateHash];
        L.write(compact, L.SIGNER_NOT_AFTER, signer.notAfter, 5);
        L.write(compact, L.SIGNER_SERIAL, signer.serial, 20);
        stored.data = Blob.write(compact);
        stored.length = uint16(compact.length);
        stored.tcbEvaluationDataNumber = d.tcbEvaluationDataNumber;
        stored.issueDate = d.issueDate;
    }

    /// @dev The CRL's serials, sorted without duplicates, 20 bytes each.
    function sortedSerials(uint160[] memory serials) private pure returns (bytes memory packed, uint256 count) {
        for (uint256 i = 1; i < serials.length; ++i) {
            uint160 serial = serials[i];
            uint256 j = i;
            while (j > 0 && serials[j - 1] > serial) {
                serials[j] = serials[j - 1];
                --j;
            }
            serials[j] = serial;
        }
        packed = new bytes(serials.length * 20);
        for (uint256 i; i < serials.length; ++i) {
            if (i > 0 && serials[i] == serials[i - 1]) continue;
            L.write(packed, count * 20, serials[i], 20);
            ++count;
        }
        if (count > MAX_CRL_ENTRIES) revert CrlTooLarge(count, MAX_CRL_ENTRIES);
        assembly ("memory-safe") {
            mstore(packed, mul(count, 20))
        }
    }

    function summaryOf(
        StoredDocument storage stored
    ) private view returns (uint32 tcbEvaluationDataNumber, uint40 issueDate, uint40 nextUpdate) {
        if (stored.data == address(0)) return (0, 0, 0);
        (, nextUpdate) = validityOf(Blob.read(stored.data, stored.length));
        return (stored.tcbEvaluationDataNumber, stored.issueDate, nextUpdate);
    }

    function roleOf(bytes32 commonNameHash) private pure returns (CertificateRole) {
        if (commonNameHash == keccak256("Intel SGX PCK Platform CA")) return CertificateRole.PckPlatformCa;
        if (commonNameHash == keccak256("Intel SGX PCK Processor CA")) return CertificateRole.PckProcessorCa;
        if (commonNameHash == keccak256("Intel SGX TCB Signing")) return CertificateRole.TcbSigning;
        revert UnexpectedCommonName(commonNameHash);
    }

    function rootOf() private view returns (Root memory) {
        return
            Root({
                keyX: _rootKeyX,
                keyY: _rootKeyY,
                keyHash: _rootKeyHash,
                subjectHash: _rootSubjectHash,
                serial: _rootSerial,
                notBefore: _rootNotBefore,
                notAfter: _rootNotAfter
            });
    }

    function validityOf(bytes memory document) private pure returns (uint40 issueDate, uint40 nextUpdate) {
        return (uint40(L.read(document, L.ISSUE_DATE, 5)), uint40(L.read(document, L.NEXT_UPDATE, 5)));
    }

    function requireCurrent(uint160 serial, uint40 notBefore, uint40 notAfter) private view {
        if (!isCurrent(notBefore, notAfter)) revert CertificateNotCurrent(serial, notBefore, notAfter);
    }

    function isCurrent(uint40 from, uint40 until) private view returns (bool) {
        return from <= block.timestamp && block.timestamp <= until;
    }

    function tbsDigest(bytes memory der, X509.Certificate memory c) private view returns (bytes32) {
        return Asn1.sha256Of(der, c.tbsStart, c.tbsEnd);
    }

    function keyHashOf(bytes32 x, bytes32 y) private pure returns (bytes32) {
        return keccak256(abi.encodePacked(x, y));
    }

    function min(uint40 a, uint40 b) private pure returns (uint40) {
        return a < b ? a : b;
    }
}
