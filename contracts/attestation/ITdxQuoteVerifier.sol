// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ITdxAttestationErrors} from "./ITdxAttestationErrors.sol";

/**
 * @notice Intel TCB statuses, named and ordered as the off-chain verifier reports them
 * (`src/attestation/types.ts`), which follows Intel's Quote Verification Library.
 */
enum TcbStatus {
    UpToDate,
    SWHardeningNeeded,
    ConfigurationNeeded,
    ConfigurationAndSWHardeningNeeded,
    OutOfDate,
    OutOfDateConfigurationNeeded,
    Revoked,
    TDRelaunchAdvised,
    TDRelaunchAdvisedConfigurationNeeded
}

/**
 * @notice What a platform's TCB status is computed from, as one verified quote established it.
 * A caller keeps it (or its hash) and passes it to {ITdxQuoteVerifier-tcbStatusOf} later to see
 * the status under the collateral posted since.
 */
struct TdxPlatformTcb {
    /// @dev Family-model-stepping-platform-CustomSKU from the PCK certificate.
    bytes6 fmspc;
    /// @dev PCE-ID from the PCK certificate.
    bytes2 pceId;
    /// @dev PCESVN from the PCK certificate.
    uint16 pceSvn;
    /// @dev The 16 SGX TCB component SVNs from the PCK certificate, one byte each.
    bytes16 sgxTcbComponents;
    /// @dev TEE_TCB_SVN of the TD report.
    bytes16 teeTcbSvn;
    /// @dev TEE_TCB_SVN2 of a TD 1.5 report (zero for TD 1.0).
    bytes16 teeTcbSvn2;
    /// @dev Whether the report is a TD 1.5 report (the TD relaunch check applies).
    bool tdReport15;
    /// @dev ISVSVN of the quoting enclave.
    uint16 qeIsvSvn;
    /// @dev The store's key (keccak256 of the DER) of the PCK CA certificate that issued the PCK certificate.
    bytes32 pckCaCertificateHash;
    /// @dev Serial number and end of validity of the PCK certificate, for revocation and expiry.
    uint160 pckSerial;
    uint40 pckNotAfter;
}

/// @notice The status of a platform under the collateral stored now, with what it rests on.
struct TcbAssessment {
    TcbStatus status;
    /// @dev Intel advisories (INTEL-SA-<number>) of the matched levels, as one sorted set.
    uint16[] advisoryIds;
    /// @dev The TCB evaluation data number of the TCB info used.
    uint32 tcbEvaluationDataNumber;
    /// @dev tcbDate of the matched TDX TCB level.
    uint40 tcbDate;
    /// @dev The earliest end of validity among the TCB info, QE identity, CRLs and certificates used.
    uint40 validUntil;
}

/// @notice A verified TDX quote: the TD's measurements, its report data and the platform's TCB status.
struct TdxVerdict {
    TcbStatus status;
    uint16[] advisoryIds;
    uint32 tcbEvaluationDataNumber;
    uint40 tcbDate;
    /// @dev Until when this verdict stands without newer collateral (see {TcbAssessment-validUntil}).
    uint40 validUntil;
    bytes6 fmspc;
    /// @dev The platform instance ID for multi-package platforms, else the PPID.
    bytes16 platformId;
    /// @dev MRTD, RTMR0-3, MRCONFIGID, MROWNER, MROWNERCONFIG: 48 bytes each.
    bytes mrTd;
    bytes rtmr0;
    bytes rtmr1;
    bytes rtmr2;
    bytes rtmr3;
    bytes mrConfigId;
    bytes mrOwner;
    bytes mrOwnerConfig;
    bytes8 tdAttributes;
    bytes8 xfam;
    /// @dev The 64 bytes of REPORTDATA.
    bytes reportData;
    TdxPlatformTcb tcb;
}

/**
 * @title ITdxQuoteVerifier
 * @notice Verifies Intel TDX DCAP quotes (v4 and v5, ECDSA P-256) on-chain against the collateral
 * of a {ITdxCollateralStore}, and re-evaluates a platform's TCB status when newer collateral
 * is posted. The root of trust is the store's: a verifier or policy must check
 * {rootKeyHash} against Intel's before trusting a verdict (a stand-in root exists for tests only).
 */
interface ITdxQuoteVerifier is ITdxAttestationErrors {
    /**
     * @notice Verifies `quote` at this block's time and returns its verdict; reverts with the error
     * naming the first check that failed (the same checks, in the same order, as the off-chain
     * verifier), including a TCB status of Revoked ({TcbRevoked}). Bytes after the quote's own
     * length are ignored.
     * @dev Not a view: when the store has no PCK CA of the name the PCK certificate gives as its
     * issuer (or its key does not verify the certificate), the CA the quote carries is verified to
     * the root and cached in the store ({ITdxCollateralStore-CertificateCached}). The status is
     * returned, not judged: the caller's policy decides which statuses and advisories it accepts.
     * @param quote The quote bytes, exactly as the quoting enclave produced them.
     * @return verdict Measurements, report data, status and the platform TCB to keep for {tcbStatusOf}.
     */
    function verifyQuote(bytes calldata quote) external returns (TdxVerdict memory verdict);

    /**
     * @notice The TCB status of a platform verified before, under the collateral stored now:
     * current TCB info and QE identity, current CRLs silent about the PCK certificate and its CA.
     * @dev Reverts as {verifyQuote} would for collateral that is missing or no longer current;
     * returns Revoked rather than reverting, since this reports a status.
     * @param tcb The `tcb` of an earlier {TdxVerdict}.
     */
    function tcbStatusOf(TdxPlatformTcb calldata tcb) external view returns (TcbAssessment memory);

    /**
     * @notice keccak256 of the root public key (x ‖ y, 64 bytes) every verdict chains to.
     * @dev Intel's SGX Root CA gives 0x89f72d7c488e5b53a77c23ebcb36970ef7eb5bcf6658e9b8292cfbe4703a8473
     * ({IntelRootCa-KEY_HASH}, {ITdxCollateralStore-usesIntelRoot}); any other value is a stand-in
     * root that only tests deploy.
     */
    function rootKeyHash() external view returns (bytes32);

    /// @notice The collateral store this verifier reads.
    function collateralStore() external view returns (address);
}
