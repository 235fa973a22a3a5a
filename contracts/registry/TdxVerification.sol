// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IntelRootCa} from "../attestation/IntelRootCa.sol";
import {ITdxCollateralStore} from "../attestation/ITdxCollateralStore.sol";
import {
    ITdxQuoteVerifier,
    TcbAssessment,
    TcbStatus,
    TdxPlatformTcb,
    TdxVerdict
} from "../attestation/ITdxQuoteVerifier.sol";
import {IEnclaveRegistry} from "../interfaces/IEnclaveRegistry.sol";

/**
 * @title TdxVerification
 * @notice What the committee would check of a TDX enclave, checked on-chain instead: the quote
 * against Intel's collateral ({ITdxQuoteVerifier}), its TCB status, its measurement and its
 * report_data binding; and afterwards, whenever the enclave is used, its platform's TCB status
 * under the collateral posted since (no loop: each enclave is judged when it is asked about).
 * `_platformTcbs` changes only in `_verifyTdxQuote`.
 */
abstract contract TdxVerification is IEnclaveRegistry {
    /// @notice How far ahead an enclave verified on-chain may expire: it then attests again.
    uint40 public constant MAX_TDX_REGISTRATION_SECONDS = 30 days;
    /// @dev Anvil's and Hardhat's chain: the only one a stand-in Intel root may be used on.
    uint256 private constant DEVELOPMENT_CHAIN_ID = 31337;

    ITdxQuoteVerifier private immutable _tdxVerifier;
    /// @inheritdoc IEnclaveRegistry
    uint16 public immutable acceptedTcbStatuses;

    mapping(address enclave => TdxPlatformTcb) private _platformTcbs;

    /// @dev How an enclave's platform stands under the collateral stored now.
    enum TcbStanding {
        NotVerifiedOnChain,
        Accepted,
        BelowAccepted,
        CollateralUnusable
    }

    /**
     * @param verifier Zero on networks without the P-256 precompile (committee only). Its root must
     * be Intel's SGX Root CA, except on a development chain.
     * @param accepted Bit `i` accepts {TcbStatus} `i`; never Revoked.
     */
    constructor(ITdxQuoteVerifier verifier, uint16 accepted) {
        if (accepted == 0 || (accepted >> uint8(TcbStatus.Revoked)) & 1 == 1) {
            revert InvalidAcceptedTcbStatuses(accepted);
        }
        bytes32 rootKeyHash;
        if (address(verifier) != address(0)) {
            rootKeyHash = verifier.rootKeyHash();
            if (rootKeyHash != IntelRootCa.KEY_HASH && block.chainid != DEVELOPMENT_CHAIN_ID) {
                revert StandInRootOutsideDevelopment(rootKeyHash, block.chainid);
            }
        }
        _tdxVerifier = verifier;
        acceptedTcbStatuses = accepted;
        emit TdxVerificationConfigured(address(verifier), rootKeyHash, accepted);
    }

    /// @inheritdoc IEnclaveRegistry
    function tdxVerifier() external view returns (address) {
        return address(_tdxVerifier);
    }

    /// @inheritdoc IEnclaveRegistry
    function tdxPlatformTcbOf(address enclave) external view returns (TdxPlatformTcb memory) {
        return _platformTcbs[enclave];
    }

    /// @inheritdoc IEnclaveRegistry
    function isTcbSuspended(address enclave) public view returns (bool) {
        TcbStanding standing = _tcbStandingOf(enclave);
        return standing == TcbStanding.BelowAccepted || standing == TcbStanding.CollateralUnusable;
    }

    /**
     * @dev Verifies `quote` for `registration` and keeps its platform TCB; returns its platform.
     * Checks in the order the committee does: evidence, TCB status, measurement, binding, freshness.
     */
    function _verifyTdxQuote(
        EnclaveRegistration calldata registration,
        bytes calldata quote,
        uint256 freshnessBlock
    ) internal returns (bytes32 platform) {
        if (address(_tdxVerifier) == address(0)) revert OnChainVerificationUnavailable();
        if (registration.hardware != Hardware.Tdx) revert InvalidRegistration();
        uint40 limit = uint40(block.timestamp) + MAX_TDX_REGISTRATION_SECONDS;
        if (registration.expiresAt > limit) revert ExpiryTooLate(registration.expiresAt, limit);
        bytes32 quoteHash = sha256(quote);
        if (quoteHash != registration.evidenceHash) revert EvidenceHashMismatch(registration.evidenceHash, quoteHash);

        TdxVerdict memory verdict = _tdxVerifier.verifyQuote(quote);
        if (!_accepts(verdict.status)) revert TcbStatusNotAccepted(verdict.status);
        // Must match runtimeMeasurementOf in src/protocol/runtimeMeasurement.ts.
        bytes32 measurement = sha256(
            abi.encodePacked(
                "BOCC/measurement/v1\ntdx\n",
                verdict.mrTd,
                verdict.rtmr0,
                verdict.rtmr1,
                verdict.rtmr2,
                verdict.rtmr3
            )
        );
        if (measurement != registration.measurement) revert MeasurementMismatch(registration.measurement, measurement);
        _requireBinding(registration, verdict.reportData, freshnessBlock);

        platform = bytes32(verdict.platformId);
        _platformTcbs[registration.enclave] = verdict.tcb;
        emit EnclaveQuoteVerified(
            registration.enclave,
            platform,
            quoteHash,
            verdict.status,
            verdict.tcbEvaluationDataNumber
        );
    }

    /**
     * @dev The provider that missed a deadline at `time` is excused when the platform is below the
     * accepted status now under collateral Intel issued by then. Collateral that is missing or out
     * of date excuses nobody: anyone, the provider first, can post current collateral.
     */
    function _tcbSuspendedBy(address enclave, uint40 time) internal view returns (bool) {
        if (_tcbStandingOf(enclave) != TcbStanding.BelowAccepted) return false;
        ITdxCollateralStore store = ITdxCollateralStore(_tdxVerifier.collateralStore());
        (, uint40 tcbInfoIssued, ) = store.tcbInfoOf(_platformTcbs[enclave].fmspc);
        (, uint40 qeIdentityIssued, ) = store.qeIdentityOf();
        uint40 issued = tcbInfoIssued > qeIdentityIssued ? tcbInfoIssued : qeIdentityIssued;
        return issued <= time;
    }

    function _tcbStandingOf(address enclave) private view returns (TcbStanding) {
        TdxPlatformTcb memory tcb = _platformTcbs[enclave];
        if (tcb.fmspc == 0) return TcbStanding.NotVerifiedOnChain;
        uint256 gasBefore = gasleft();
        try _tdxVerifier.tcbStatusOf(tcb) returns (TcbAssessment memory assessment) {
            return _accepts(assessment.status) ? TcbStanding.Accepted : TcbStanding.BelowAccepted;
        } catch {
            // A caller that starves the query must not pass it off as unusable collateral.
            if (gasleft() <= gasBefore / 64) revert TcbAssessmentStarved(enclave);
            return TcbStanding.CollateralUnusable;
        }
    }

    /// @dev report_data v2 (src/protocol/reportData.ts): the registration's binding, then a recent block's hash.
    function _requireBinding(
        EnclaveRegistration calldata registration,
        bytes memory reportData,
        uint256 freshnessBlock
    ) private view {
        bytes32 bound;
        bytes32 freshness;
        assembly ("memory-safe") {
            bound := mload(add(reportData, 32))
            freshness := mload(add(reportData, 64))
        }
        bytes32 expected = sha256(
            abi.encodePacked(
                "BOCC/report-data/v2",
                block.chainid,
                address(this),
                registration.provider,
                registration.enclave,
                registration.hpkePublicKey,
                registration.gpuEvidenceHash
            )
        );
        if (bound != expected) revert ReportDataMismatch(expected, bound);
        if (freshness == 0 || blockhash(freshnessBlock) != freshness)
            revert FreshnessNotRecent(freshnessBlock, freshness);
    }

    function _accepts(TcbStatus status) private view returns (bool) {
        return (acceptedTcbStatuses >> uint8(status)) & 1 == 1;
    }
}
