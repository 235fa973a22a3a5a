// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ITdxCollateralStore, QuoteIdentities} from "./ITdxCollateralStore.sol";
import {ITdxQuoteVerifier, TcbAssessment, TcbStatus, TdxPlatformTcb, TdxVerdict} from "./ITdxQuoteVerifier.sol";
import {Asn1} from "./lib/Asn1.sol";
import {P256} from "./lib/P256.sol";
import {PckCertificate} from "./lib/PckCertificate.sol";
import {Pem} from "./lib/Pem.sol";
import {TdxQuote} from "./lib/TdxQuote.sol";
import {X509} from "./lib/X509.sol";

/**
 * @title TdxQuoteVerifier
 * @notice {ITdxQuoteVerifier}: verifies a TDX quote from calldata against the collateral of one
 * {ITdxCollateralStore}. Per quote it decodes and checks only what is new: the PCK certificate
 * (base64, DER, its signature by the cached PCK CA its issuer names), the QE report and quote
 * signatures and the attestation key binding. It keeps no state of its own.
 */
contract TdxQuoteVerifier is ITdxQuoteVerifier {
    ITdxCollateralStore private immutable _store;

    /// @dev What verification learnt of the PCK certificate and its CA.
    struct Pck {
        X509.Certificate certificate;
        PckCertificate.SgxExtension extension;
        bytes32 caCertificateHash;
        uint40 caNotAfter;
    }

    constructor(ITdxCollateralStore store) {
        _store = store;
    }

    /// @inheritdoc ITdxQuoteVerifier
    function verifyQuote(bytes calldata quote) external returns (TdxVerdict memory verdict) {
        unchecked {
            TdxQuote.Layout memory layout = TdxQuote.layoutOf(quote);
            Pck memory pck = verifyPckChain(quote, layout);
            verifyQuoteSignatures(quote, layout, pck.certificate);
            verdict.tcb = platformTcbOf(quote, layout, pck);
            TcbAssessment memory assessment = _store.assessPlatform(verdict.tcb, identitiesOf(quote, layout));
            if (assessment.status == TcbStatus.Revoked) revert TcbRevoked(verdict.tcb.fmspc);
            verdict.status = assessment.status;
            verdict.advisoryIds = assessment.advisoryIds;
            verdict.tcbEvaluationDataNumber = assessment.tcbEvaluationDataNumber;
            verdict.tcbDate = assessment.tcbDate;
            verdict.validUntil = assessment.validUntil < pck.caNotAfter ? assessment.validUntil : pck.caNotAfter;
            verdict.fmspc = pck.extension.fmspc;
            verdict.platformId =
                pck.extension.platformInstanceId != 0 ? pck.extension.platformInstanceId : pck.extension.ppid;
            writeMeasurements(quote, layout.body, verdict);
        }
    }

    /// @inheritdoc ITdxQuoteVerifier
    function tcbStatusOf(TdxPlatformTcb calldata tcb) external view returns (TcbAssessment memory) {
        unchecked {
            return _store.tcbStatusOf(tcb);
        }
    }

    /// @inheritdoc ITdxQuoteVerifier
    function rootKeyHash() external view returns (bytes32) {
        unchecked {
            return _store.rootKeyHash();
        }
    }

    /// @inheritdoc ITdxQuoteVerifier
    function collateralStore() external view returns (address) {
        unchecked {
            return address(_store);
        }
    }

    /**
     * @dev PCK certificate ← PCK CA ← root: the CA is the cached one named by the certificate's
     * issuer; only when there is none, or its key does not verify the certificate, is the CA the
     * quote carries decoded, verified to the root and cached. Both must be valid now (the store
     * checks the root).
     */
    function verifyPckChain(bytes calldata quote, TdxQuote.Layout memory layout) private returns (Pck memory pck) {
        unchecked {
            (bytes memory der, uint256 caChain) = Pem.decodeCertificate(quote, layout.pckChain, layout.pckChainEnd);
            X509.Certificate memory c = X509.parseCertificate(der);
            bytes32 digest = Asn1.sha256Of(der, c.tbsStart, c.tbsEnd);
            (bytes32 caHash, ITdxCollateralStore.CachedCertificate memory ca) = _store.pckCaBySubject(c.issuerHash);
            if (caHash == 0 || !P256.verify(digest, c.r, c.s, ca.keyX, ca.keyY)) {
                (bytes memory carriedDer, ) = Pem.decodeCertificate(quote, caChain, layout.pckChainEnd);
                bytes32 carried = _store.cacheCertificate(carriedDer);
                if (carried == caHash) revert SignatureInvalid(keccak256(abi.encodePacked(ca.keyX, ca.keyY)));
                (caHash, ca) = (carried, _store.certificate(carried));
                if (
                    ca.role != ITdxCollateralStore.CertificateRole.PckPlatformCa &&
                    ca.role != ITdxCollateralStore.CertificateRole.PckProcessorCa
                ) {
                    revert WrongCertificateRole(caHash, uint8(ca.role));
                }
                if (c.issuerHash != ca.subjectHash) revert IssuerMismatch(c.issuerHash, ca.subjectHash);
                if (!P256.verify(digest, c.r, c.s, ca.keyX, ca.keyY)) {
                    revert SignatureInvalid(keccak256(abi.encodePacked(ca.keyX, ca.keyY)));
                }
            }
            if (block.timestamp < c.notBefore || block.timestamp > c.notAfter) {
                revert CertificateNotCurrent(c.serial, c.notBefore, c.notAfter);
            }
            if (block.timestamp < ca.notBefore || block.timestamp > ca.notAfter) {
                revert CertificateNotCurrent(ca.serial, ca.notBefore, ca.notAfter);
            }
            pck.certificate = c;
            pck.extension = PckCertificate.readSgxExtension(der, c);
            pck.caCertificateHash = caHash;
            pck.caNotAfter = ca.notAfter;
        }
    }

    /// @dev QE report signed by the PCK key; QE REPORTDATA binds the attestation key; header and body signed by it.
    function verifyQuoteSignatures(
        bytes calldata quote,
        TdxQuote.Layout memory layout,
        X509.Certificate memory pck
    ) private view {
        unchecked {
            uint256 qeReport = layout.qeReport;
            bytes32 qeDigest = sha256(quote[qeReport:qeReport + TdxQuote.QE_REPORT_LENGTH]);
            uint256 qeSignature = qeReport + TdxQuote.QE_REPORT_LENGTH;
            if (
                !P256.verify(
                    qeDigest,
                    TdxQuote.word(quote, qeSignature),
                    TdxQuote.word(quote, qeSignature + 32),
                    pck.keyX,
                    pck.keyY
                )
            ) revert QeReportSignatureInvalid();

            uint256 key = layout.signature + 64;
            bytes32 binding = sha256(
                bytes.concat(quote[key:key + 64], quote[layout.qeAuthData:layout.qeAuthData + layout.qeAuthDataLength])
            );
            bytes32 reported = TdxQuote.word(quote, qeReport + TdxQuote.QE_REPORT_DATA);
            if (reported != binding || TdxQuote.word(quote, qeReport + TdxQuote.QE_REPORT_DATA + 32) != 0) {
                revert AttestationKeyNotBound(binding, reported);
            }

            if (
                !P256.verify(
                    sha256(quote[0:layout.signedEnd]),
                    TdxQuote.word(quote, layout.signature),
                    TdxQuote.word(quote, layout.signature + 32),
                    TdxQuote.word(quote, key),
                    TdxQuote.word(quote, key + 32)
                )
            ) revert QuoteSignatureInvalid();
        }
    }

    function platformTcbOf(
        bytes calldata quote,
        TdxQuote.Layout memory layout,
        Pck memory pck
    ) private pure returns (TdxPlatformTcb memory tcb) {
        unchecked {
            tcb.fmspc = pck.extension.fmspc;
            tcb.pceId = pck.extension.pceId;
            tcb.pceSvn = pck.extension.pceSvn;
            tcb.sgxTcbComponents = pck.extension.sgxTcbComponents;
            tcb.teeTcbSvn = bytes16(TdxQuote.word(quote, layout.body + TdxQuote.TEE_TCB_SVN));
            if (layout.tdReport15) {
                tcb.teeTcbSvn2 = bytes16(TdxQuote.word(quote, layout.body + TdxQuote.TEE_TCB_SVN2));
                tcb.tdReport15 = true;
            }
            tcb.qeIsvSvn = uint16(TdxQuote.le(quote, layout.qeReport + TdxQuote.QE_ISV_SVN, 2));
            tcb.pckCaCertificateHash = pck.caCertificateHash;
            tcb.pckSerial = pck.certificate.serial;
            tcb.pckNotAfter = pck.certificate.notAfter;
        }
    }

    function identitiesOf(
        bytes calldata quote,
        TdxQuote.Layout memory layout
    ) private pure returns (QuoteIdentities memory ids) {
        unchecked {
            uint256 qe = layout.qeReport;
            ids.qeMrSigner = TdxQuote.word(quote, qe + TdxQuote.QE_MR_SIGNER);
            ids.qeIsvProdId = uint16(TdxQuote.le(quote, qe + TdxQuote.QE_ISV_PROD_ID, 2));
            ids.qeMiscSelect = uint32(TdxQuote.le(quote, qe + TdxQuote.QE_MISC_SELECT, 4));
            ids.qeAttributes = bytes16(TdxQuote.word(quote, qe + TdxQuote.QE_ATTRIBUTES));
            uint256 seam = layout.body + TdxQuote.MR_SIGNER_SEAM;
            ids.mrSignerSeamHash = keccak256(quote[seam:seam + 48]);
            ids.seamAttributes = bytes8(TdxQuote.word(quote, layout.body + TdxQuote.SEAM_ATTRIBUTES));
        }
    }

    function writeMeasurements(bytes calldata quote, uint256 body, TdxVerdict memory verdict) private pure {
        unchecked {
            verdict.mrTd = quote[body + TdxQuote.MR_TD:body + TdxQuote.MR_TD + 48];
            uint256 rtmr = body + TdxQuote.RTMR0;
            verdict.rtmr0 = quote[rtmr:rtmr + 48];
            verdict.rtmr1 = quote[rtmr + 48:rtmr + 96];
            verdict.rtmr2 = quote[rtmr + 96:rtmr + 144];
            verdict.rtmr3 = quote[rtmr + 144:rtmr + 192];
            verdict.mrConfigId = quote[body + TdxQuote.MR_CONFIG_ID:body + TdxQuote.MR_CONFIG_ID + 48];
            verdict.mrOwner = quote[body + TdxQuote.MR_OWNER:body + TdxQuote.MR_OWNER + 48];
            verdict.mrOwnerConfig = quote[body + TdxQuote.MR_OWNER_CONFIG:body + TdxQuote.MR_OWNER_CONFIG + 48];
            verdict.tdAttributes = bytes8(TdxQuote.word(quote, body + TdxQuote.TD_ATTRIBUTES));
            verdict.xfam = bytes8(TdxQuote.word(quote, body + TdxQuote.XFAM));
            verdict.reportData = quote[body + TdxQuote.REPORT_DATA:body + TdxQuote.REPORT_DATA + 64];
        }
    }
}
