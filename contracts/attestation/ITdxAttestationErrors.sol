// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title ITdxAttestationErrors
 * @notice Every way on-chain Intel TDX verification can fail, with the values that explain it.
 * Both {ITdxQuoteVerifier} and {ITdxCollateralStore} carry them all, so a caller decodes any
 * revert of either contract, including those the store raises inside a verification.
 * Times are Unix seconds; `offset` is a byte offset into the input the error is about.
 */
interface ITdxAttestationErrors {
    // ----- quote structure -----

    /// @notice The quote ends before the `needed` bytes its own lengths announce.
    /// @notice A precompile (such as SHA-256 at 0x02) failed: the call was given too little gas.
    error PrecompileFailed(address precompile);
    error QuoteTruncated(uint256 needed, uint256 length);
    /// @notice Only quote versions 4 and 5 carry a TD report.
    error UnsupportedQuoteVersion(uint16 version);
    /// @notice Only attestation key type 2 (ECDSA P-256) is supported.
    error UnsupportedAttestationKeyType(uint16 keyType);
    /// @notice Only TDX quotes (TEE type 0x81) are verified here.
    error UnsupportedTeeType(uint32 teeType);
    /// @notice A v5 body that is not a TD 1.0 (type 2, 584 bytes) or TD 1.5 (type 3, 648 bytes) report.
    error UnsupportedBodyType(uint16 bodyType, uint32 bodySize);
    /// @notice The quote was not produced by Intel's quoting enclave.
    error UnknownQeVendor(bytes16 qeVendorId);
    /// @notice Certification data must be type 6 (QE report) wrapping type 5 (PCK certificate chain).
    error UnsupportedCertificationDataType(uint16 certificationDataType);
    /// @notice The PCK certificate chain is not PEM as quotes carry it (64-character lines).
    error MalformedPem(uint256 offset);

    // ----- certificates, CRLs and their chain -----

    /// @notice A DER item that is malformed or overruns its parent.
    error MalformedDer(uint256 offset);
    /// @notice A signature or key algorithm other than ECDSA P-256 with SHA-256.
    error UnsupportedAlgorithm(uint256 offset);
    /// @notice A serial number longer than the 20 bytes RFC 5280 allows.
    error SerialNumberTooLong(uint256 offset);
    /// @notice A certificate (named by its serial number) that is not valid at this block's time.
    error CertificateNotCurrent(uint160 serial, uint40 notBefore, uint40 notAfter);
    /// @notice A certificate listed by the current CRL of the CA that issued it.
    error CertificateRevoked(uint160 serial, bytes32 issuerKeyHash);
    /// @notice A certificate whose issuer name is not the subject of the certificate that must have signed it.
    error IssuerMismatch(bytes32 issuerHash, bytes32 expectedIssuerHash);
    /// @notice A certificate or CRL whose signature does not verify with its issuer's key.
    error SignatureInvalid(bytes32 issuerKeyHash);
    /// @notice A certificate the root signed whose common name is none of Intel's PCK CAs or TCB signer.
    error UnexpectedCommonName(bytes32 commonNameHash);
    /// @notice The certificate is not in the store's cache.
    error CertificateNotCached(bytes32 certificateHash);
    /// @notice The certificate serves another role (see {ITdxCollateralStore-CertificateRole}).
    error WrongCertificateRole(bytes32 certificateHash, uint8 role);
    /// @notice The PCK certificate lacks Intel's SGX extension or one of its fields (OID arc `field`).
    error MalformedPckExtension(uint256 field);
    /// @notice A stand-in root certificate must be self-signed.
    error RootNotSelfSigned();

    // ----- signatures and bindings inside the quote -----

    /// @notice The QE report is not signed by the PCK certificate's key.
    error QeReportSignatureInvalid();
    /// @notice QE REPORTDATA is not SHA-256(attestation key ‖ QE authentication data) ‖ 32 zero bytes.
    error AttestationKeyNotBound(bytes32 expected, bytes32 reported);
    /// @notice Header and body are not signed by the attestation key.
    error QuoteSignatureInvalid();

    // ----- collateral at the time of use -----

    /// @notice No CRL of the CA with this key has been posted.
    error CrlMissing(bytes32 issuerKeyHash);
    /// @notice The CRL of the CA with this key is not current at this block's time.
    error CrlNotCurrent(bytes32 issuerKeyHash, uint40 thisUpdate, uint40 nextUpdate);
    /// @notice No TDX TCB info has been posted for this FMSPC.
    error TcbInfoMissing(bytes6 fmspc);
    /// @notice The TCB info of this FMSPC is not current at this block's time.
    error TcbInfoNotCurrent(bytes6 fmspc, uint40 issueDate, uint40 nextUpdate);
    /// @notice The TCB info's PCE-ID differs from the PCK certificate's.
    error PceIdMismatch(bytes2 pckPceId, bytes2 tcbInfoPceId);
    /// @notice No TD_QE identity has been posted.
    error QeIdentityMissing();
    /// @notice The TD_QE identity is not current at this block's time.
    error QeIdentityNotCurrent(uint40 issueDate, uint40 nextUpdate);
    /// @notice The QE's MRSIGNER is not the QE identity's.
    error QeMrSignerMismatch(bytes32 reported, bytes32 expected);
    /// @notice The QE's ISVPRODID is not the QE identity's.
    error QeIsvProdIdMismatch(uint16 reported, uint16 expected);
    /// @notice The QE's MISCSELECT differs from the QE identity's under its mask.
    error QeMiscSelectMismatch(uint32 reported, uint32 expected, uint32 mask);
    /// @notice The QE's ATTRIBUTES differ from the QE identity's under its mask.
    error QeAttributesMismatch(bytes16 reported, bytes16 expected, bytes16 mask);
    /// @notice The TCB info describes no TDX module for this major version.
    error TdxModuleUnknown(uint8 majorVersion);
    /// @notice MRSIGNERSEAM is not the signer the TCB info gives for this TDX module.
    error TdxModuleSignerMismatch(uint8 majorVersion);
    /// @notice SEAMATTRIBUTES differ from the TDX module identity's under its mask.
    error TdxModuleAttributesMismatch(bytes8 reported, bytes8 expected, bytes8 mask);

    // ----- TCB status -----

    /// @notice The QE's ISVSVN is below every level of the QE identity.
    error NoMatchingQeTcbLevel(uint16 isvSvn);
    /// @notice The PCK certificate's TCB (16 SGX components and PCESVN) is below every TCB level.
    error NoMatchingSgxTcbLevel(bytes6 fmspc);
    /// @notice The TD report's TEE_TCB_SVN is below every TCB level the SGX TCB reaches.
    error NoMatchingTdxTcbLevel(bytes6 fmspc);
    /// @notice The TCB info has no TDX module identity `TDX_<majorVersion>`.
    error TdxModuleIdentityMissing(uint8 majorVersion);
    /// @notice The TDX module's ISVSVN is below every level of its identity.
    error NoMatchingTdxModuleLevel(uint8 majorVersion, uint8 isvSvn);
    /// @notice The matched level (of the TCB info, the TDX module or the QE identity) has a status Intel's library does not accept there.
    error UnrecognisedTcbStatus(uint8 status);
    /// @notice The platform's TCB is Revoked: {ITdxQuoteVerifier-verifyQuote} fails, as the off-chain verifier does.
    error TcbRevoked(bytes6 fmspc);

    // ----- posting collateral -----

    /// @notice Intel's JSON collateral does not parse at `offset`, or lacks a field it must have.
    error MalformedJson(uint256 offset);
    /// @notice A time (DER UTCTime/GeneralizedTime or ISO 8601 in JSON) that does not parse.
    error MalformedTime(uint256 offset);
    /// @notice A TCB info that is not TDX version 3, or an identity that is not TD_QE version 2.
    error UnexpectedDocument(bytes32 id, uint256 version);
    /// @notice An advisory ID not of the form INTEL-SA-<5 digits>.
    error UnsupportedAdvisoryId(uint256 offset);
    /// @notice A component SVN above 255, a PCESVN or ISVSVN above 65535, or an evaluation number above 2^32-1.
    error ValueOutOfRange(uint256 offset);
    /// @notice A JSON document's signature is not 64 bytes or does not verify with the TCB signing key.
    error CollateralSignatureInvalid();
    /// @notice A document (TCB info, QE identity or CRL) that is not current at this block's time.
    error DocumentNotCurrent(uint40 issueDate, uint40 nextUpdate);
    /// @notice A TCB info or QE identity that is not newer than the one stored (by evaluation number, then issue date).
    error CollateralNotNewer(uint32 storedNumber, uint40 storedIssueDate, uint32 number, uint40 issueDate);
    /// @notice A CRL that was not issued after the one stored.
    error CrlNotNewer(uint40 storedThisUpdate, uint40 thisUpdate);
    /// @notice A CRL with more revoked entries than one storage contract holds.
    error CrlTooLarge(uint256 entries, uint256 maxEntries);
    /// @notice The contract that keeps a posted document could not be created (out of gas).
    error CollateralWriteFailed();
}
