// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ITdxAttestationErrors} from "./ITdxAttestationErrors.sol";
import {TcbAssessment, TdxPlatformTcb} from "./ITdxQuoteVerifier.sol";

/// @notice The identities a quote claims, matched against the QE identity and the TCB info's TDX module.
struct QuoteIdentities {
    bytes32 qeMrSigner;
    uint16 qeIsvProdId;
    uint32 qeMiscSelect;
    bytes16 qeAttributes;
    /// @dev keccak256 of the 48-byte MRSIGNERSEAM.
    bytes32 mrSignerSeamHash;
    bytes8 seamAttributes;
}

/**
 * @title ITdxCollateralStore
 * @notice Intel's collateral for TDX quotes, posted by anyone and kept only once verified on-chain
 * to the root: certificates the root issued (PCK Platform/Processor CA, TCB Signing), CRLs, TDX
 * TCB info per FMSPC and the TD_QE identity. Each document is parsed once, at posting, into a
 * compact immutable form; a newer document replaces an older one, a stale or forged one is refused.
 */
interface ITdxCollateralStore is ITdxAttestationErrors {
    /// @notice What a cached certificate may be used for, from its common name.
    enum CertificateRole {
        None,
        PckPlatformCa,
        PckProcessorCa,
        TcbSigning
    }

    /// @notice A certificate issued by the root, verified when it was cached.
    struct CachedCertificate {
        CertificateRole role;
        uint40 notBefore;
        uint40 notAfter;
        uint160 serial;
        /// @dev keccak256 of the subject Name (DER), which certificates and CRLs it issues name as issuer.
        bytes32 subjectHash;
        bytes32 keyX;
        bytes32 keyY;
    }

    /// @notice The root of trust, fixed at deployment: Intel's SGX Root CA, or a stand-in (tests only).
    event RootOfTrust(bytes32 rootKeyHash, bool intelRoot, uint40 notBefore, uint40 notAfter);
    /**
     * @notice A certificate signed by the root was verified and cached under `certificateHash`
     * (keccak256 of its DER). A PCK CA becomes the one its subject names unless one issued later is cached.
     */
    event CertificateCached(
        bytes32 indexed certificateHash,
        CertificateRole role,
        bytes32 indexed subjectHash,
        uint160 serial,
        uint40 notBefore,
        uint40 notAfter
    );
    /// @notice The CRL of the CA with key `issuerKeyHash` is now this one (`replacedThisUpdate` 0 when it is the first).
    event CrlPosted(
        bytes32 indexed issuerKeyHash,
        uint40 thisUpdate,
        uint40 nextUpdate,
        uint256 revokedCount,
        uint40 replacedThisUpdate,
        bytes32 crlHash
    );
    /// @notice The TDX TCB info of `fmspc` is now this one (`replacedEvaluationDataNumber` 0 when it is the first).
    event TcbInfoPosted(
        bytes6 indexed fmspc,
        uint32 tcbEvaluationDataNumber,
        uint40 issueDate,
        uint40 nextUpdate,
        uint32 replacedEvaluationDataNumber,
        bytes32 tcbInfoHash
    );
    /// @notice The TD_QE identity is now this one (`replacedEvaluationDataNumber` 0 when it is the first).
    event QeIdentityPosted(
        uint32 tcbEvaluationDataNumber,
        uint40 issueDate,
        uint40 nextUpdate,
        uint32 replacedEvaluationDataNumber,
        bytes32 qeIdentityHash
    );

    /**
     * @notice Verifies a certificate issued by the root (name and signature, valid now, common
     * name one of Intel's PCK CAs or the TCB signer) and caches it. Caching it again does nothing.
     * @param der The certificate, DER.
     * @return certificateHash keccak256 of `der`, the key it is cached under.
     */
    function cacheCertificate(bytes calldata der) external returns (bytes32 certificateHash);

    /**
     * @notice Posts the CRL of the root (`issuerCertificateHash` zero) or of a cached PCK CA; it must
     * be signed by that CA, current, and issued after the one it replaces.
     * @param der The CRL, DER.
     * @param issuerCertificateHash The cached CA that issued it, or zero for the root.
     */
    function postCrl(bytes calldata der, bytes32 issuerCertificateHash) external;

    /**
     * @notice Posts a TDX TCB info (version 3) for its FMSPC: the signature must verify over the
     * exact bytes of the `tcbInfo` JSON value with a cached TCB signing certificate that is valid now
     * and not revoked by the current root CRL; it must be current and newer than the one it replaces.
     * @param tcbInfo The exact bytes of the `tcbInfo` value Intel signed.
     * @param signature ECDSA P-256 signature, r ‖ s (64 bytes).
     * @param signerCertificateHash The cached TCB signing certificate.
     */
    function postTcbInfo(bytes calldata tcbInfo, bytes calldata signature, bytes32 signerCertificateHash) external;

    /**
     * @notice Posts the TD_QE identity (version 2), verified as {postTcbInfo} verifies TCB info.
     * @param qeIdentity The exact bytes of the `enclaveIdentity` value Intel signed.
     * @param signature ECDSA P-256 signature, r ‖ s (64 bytes).
     * @param signerCertificateHash The cached TCB signing certificate.
     */
    function postQeIdentity(
        bytes calldata qeIdentity,
        bytes calldata signature,
        bytes32 signerCertificateHash
    ) external;

    /// @notice A cached certificate; reverts with {CertificateNotCached} when absent.
    function certificate(bytes32 certificateHash) external view returns (CachedCertificate memory);

    /**
     * @notice The cached PCK CA with this subject (keccak256 of the DER Name), the latest issued if
     * several: what a PCK certificate naming that issuer is checked against. All zero when none.
     */
    function pckCaBySubject(
        bytes32 subjectHash
    ) external view returns (bytes32 certificateHash, CachedCertificate memory);

    /// @notice The stored CRL of the CA with key `issuerKeyHash` (all zero when none).
    function crlOf(
        bytes32 issuerKeyHash
    ) external view returns (uint40 thisUpdate, uint40 nextUpdate, uint256 revokedCount);

    /// @notice The stored TCB info of `fmspc` (all zero when none).
    function tcbInfoOf(
        bytes6 fmspc
    ) external view returns (uint32 tcbEvaluationDataNumber, uint40 issueDate, uint40 nextUpdate);

    /// @notice The stored TD_QE identity (all zero when none).
    function qeIdentityOf() external view returns (uint32 tcbEvaluationDataNumber, uint40 issueDate, uint40 nextUpdate);

    /**
     * @notice Checks a platform against the collateral stored now and evaluates its TCB status, as
     * Intel's library does: root, CRLs, TCB info, QE identity, then {QuoteIdentities} against the QE
     * identity and the TDX module, then the TCB levels. Reverts naming the first check that fails.
     */
    function assessPlatform(
        TdxPlatformTcb calldata tcb,
        QuoteIdentities calldata identities
    ) external view returns (TcbAssessment memory);

    /// @notice {assessPlatform} without the identity match: the TCB status of a platform verified before.
    function tcbStatusOf(TdxPlatformTcb calldata tcb) external view returns (TcbAssessment memory);

    /// @notice keccak256 of the root public key (x ‖ y).
    function rootKeyHash() external view returns (bytes32);

    /// @notice Whether the root is Intel's SGX Root CA (false: a stand-in that only tests deploy).
    function usesIntelRoot() external view returns (bool);
}
