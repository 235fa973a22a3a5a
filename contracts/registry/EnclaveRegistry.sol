// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ITdxQuoteVerifier} from "../attestation/ITdxQuoteVerifier.sol";
import {IEnclaveFeed} from "../interfaces/IEnclaveFeed.sol";
import {IEnclaveRegistry} from "../interfaces/IEnclaveRegistry.sol";
import {Committee} from "./Committee.sol";
import {MeasurementLog} from "./MeasurementLog.sol";
import {PlatformRegistry} from "./PlatformRegistry.sol";
import {TdxVerification} from "./TdxVerification.sol";

/**
 * @title EnclaveRegistry
 * @notice Enclaves approved by the committee, or verified on-chain ({TdxVerification}) on a
 * platform bound to their provider ({PlatformRegistry}), each bound to the provider its
 * report_data names, with expiry and revocation; and the allow-list and committee they are judged
 * by ({MeasurementLog}, {Committee}). `_enclaves` changes only in `_record`, {reattestTdxEnclave}
 * and `_revoke`, and each of them pushes the change to the attached market ({IEnclaveFeed}).
 */
contract EnclaveRegistry is Committee, PlatformRegistry, TdxVerification, EIP712 {
    /// @dev Must match `enclaveApprovalTypes` in src/protocol/enclaveApproval.ts.
    bytes32 public constant ENCLAVE_APPROVAL_TYPEHASH = keccak256(
        "EnclaveApproval(address enclave,address provider,uint8 hardware,uint40 expiresAt,bytes32 measurement,bytes32 hpkePublicKey,bytes32 evidenceHash,bytes32 collateralHash,bytes32 gpuEvidenceHash,uint64 committeeEpoch)"
    );
    /// @dev Must match `enclavePlatformApprovalTypes` in src/protocol/enclaveApproval.ts.
    bytes32 public constant ENCLAVE_PLATFORM_APPROVAL_TYPEHASH = keccak256(
        "EnclavePlatformApproval(address enclave,address provider,uint8 hardware,uint40 expiresAt,bytes32 measurement,bytes32 hpkePublicKey,bytes32 evidenceHash,bytes32 collateralHash,bytes32 gpuEvidenceHash,bytes32 platform,uint64 committeeEpoch)"
    );
    /// @dev Must match `enclaveRevocationTypes` in src/protocol/enclaveApproval.ts.
    bytes32 public constant ENCLAVE_REVOCATION_TYPEHASH = keccak256(
        "EnclaveRevocation(address enclave,uint64 committeeEpoch)"
    );

    mapping(address enclave => Enclave) private _enclaves;

    constructor(
        address governor_,
        uint40 governanceDelay_,
        bytes32[] memory genesisMeasurements,
        address[] memory genesisCommittee,
        uint8 committeeThreshold_,
        ITdxQuoteVerifier tdxVerifier_,
        uint16 acceptedTcbStatuses_
    )
        EIP712("BOCC", "2")
        MeasurementLog(governor_, governanceDelay_, genesisMeasurements)
        Committee(genesisCommittee, committeeThreshold_)
        TdxVerification(tdxVerifier_, acceptedTcbStatuses_)
    {}

    /// @inheritdoc IEnclaveRegistry
    function registerEnclave(
        EnclaveRegistration calldata registration,
        uint64 epoch,
        bytes[] calldata approvals
    ) external {
        _checkNewRegistration(registration);
        _requireCommitteeApproval(
            _hashTypedDataV4(keccak256(abi.encode(ENCLAVE_APPROVAL_TYPEHASH, registration, epoch))),
            epoch,
            approvals
        );
        _record(registration, false);
    }

    /// @inheritdoc IEnclaveRegistry
    function registerEnclaveOnPlatform(
        EnclaveRegistration calldata registration,
        bytes32 platform,
        uint64 epoch,
        bytes[] calldata approvals
    ) external {
        _checkNewRegistration(registration);
        if (platform == 0) revert InvalidRegistration();
        _requireCommitteeApproval(
            _hashTypedDataV4(keccak256(abi.encode(ENCLAVE_PLATFORM_APPROVAL_TYPEHASH, registration, platform, epoch))),
            epoch,
            approvals
        );
        _bindPlatform(platform, registration.enclave, msg.sender, registration.expiresAt);
        _record(registration, false);
    }

    /// @inheritdoc IEnclaveRegistry
    function registerTdxEnclave(
        EnclaveRegistration calldata registration,
        bytes calldata quote,
        uint256 freshnessBlock
    ) external {
        _checkNewRegistration(registration);
        bytes32 platform = _verifyTdxQuote(registration, quote, freshnessBlock);
        _bindPlatform(platform, registration.enclave, msg.sender, registration.expiresAt);
        _record(registration, true);
    }

    /// @inheritdoc IEnclaveRegistry
    function reattestTdxEnclave(
        EnclaveRegistration calldata registration,
        bytes calldata quote,
        uint256 freshnessBlock
    ) external {
        Enclave storage record = _enclaves[registration.enclave];
        if (record.provider != msg.sender || registration.provider != msg.sender) {
            revert NotEnclaveProvider(registration.enclave, msg.sender);
        }
        if (record.status != EnclaveStatus.Active || block.timestamp >= record.expiresAt) {
            revert EnclaveNotUsable(registration.enclave);
        }
        (bytes32 registeredPlatform, ) = platformOf(registration.enclave);
        if (registeredPlatform == 0) revert NotVerifiedOnChain(registration.enclave);
        if (
            registration.hardware != record.hardware ||
            registration.measurement != record.measurement ||
            registration.hpkePublicKey != record.hpkePublicKey ||
            registration.gpuEvidenceHash != record.gpuEvidenceHash ||
            registration.expiresAt < record.expiresAt
        ) revert ReattestationChangesEnclave(registration.enclave);
        if (!isMeasurementAllowed(registration.measurement)) revert MeasurementNotAllowed(registration.measurement);
        bytes32 platform = _verifyTdxQuote(registration, quote, freshnessBlock);
        _extendPlatformBinding(platform, registration.enclave, registration.expiresAt);
        record.expiresAt = registration.expiresAt;
        record.evidenceHash = registration.evidenceHash;
        record.collateralHash = registration.collateralHash;
        emit EnclaveReattested(registration.enclave, registration);
        if (market != address(0))
            IEnclaveFeed(market).recordEnclaveExpiry(registration.enclave, registration.expiresAt);
    }

    /// @inheritdoc IEnclaveRegistry
    function revokeEnclave(address enclave) external {
        if (_enclaves[enclave].provider != msg.sender) revert NotEnclaveProvider(enclave, msg.sender);
        _revoke(enclave, false);
        emit EnclaveRevoked(enclave, msg.sender);
    }

    /// @inheritdoc IEnclaveRegistry
    function revokeEnclaveByCommittee(address enclave, uint64 epoch, bytes[] calldata approvals) external {
        _requireCommitteeApproval(
            _hashTypedDataV4(keccak256(abi.encode(ENCLAVE_REVOCATION_TYPEHASH, enclave, epoch))),
            epoch,
            approvals
        );
        _revoke(enclave, true);
        emit EnclaveRevoked(enclave, address(0));
    }

    /// @inheritdoc IEnclaveRegistry
    function getEnclave(address enclave) external view returns (Enclave memory) {
        return _enclaves[enclave];
    }

    /// @inheritdoc IEnclaveRegistry
    function isEnclaveUsable(address enclave) public view returns (bool) {
        Enclave storage record = _enclaves[enclave];
        return
            record.status == EnclaveStatus.Active &&
            block.timestamp < record.expiresAt &&
            isMeasurementAllowed(record.measurement) &&
            !(record.hardware == Hardware.Tdx && isTcbSuspended(enclave));
    }

    /// @inheritdoc IEnclaveRegistry
    function enclaveForOrder(
        address enclave
    ) external view returns (address provider, Hardware hardware, bytes32 measurement, uint40 expiresAt) {
        if (!isEnclaveUsable(enclave)) revert EnclaveNotUsable(enclave);
        Enclave storage record = _enclaves[enclave];
        return (record.provider, record.hardware, record.measurement, record.expiresAt);
    }

    /// @inheritdoc IEnclaveRegistry
    function isExcusedAt(address enclave, uint40 time) external view returns (bool) {
        Enclave storage record = _enclaves[enclave];
        bool revokedByCommittee = record.revokedByCommittee && record.revokedAt <= time;
        return
            revokedByCommittee ||
            _measurementRemovedBy(record.measurement, time) ||
            (record.hardware == Hardware.Tdx && _tcbSuspendedBy(enclave, time));
    }

    /// @dev What both registration paths require before their own checks.
    function _checkNewRegistration(EnclaveRegistration calldata registration) private view {
        if (registration.provider != msg.sender) revert NotRegistrationProvider(registration.provider, msg.sender);
        if (
            registration.enclave == address(0) ||
            registration.hpkePublicKey == bytes32(0) ||
            registration.expiresAt <= block.timestamp
        ) revert InvalidRegistration();
        if (_enclaves[registration.enclave].status != EnclaveStatus.None) {
            revert EnclaveAlreadyRegistered(registration.enclave);
        }
        if (!isMeasurementAllowed(registration.measurement)) revert MeasurementNotAllowed(registration.measurement);
    }

    /// @param tcbJudgedOnChain Verified on-chain: its TCB status is judged at every use.
    function _record(EnclaveRegistration calldata registration, bool tcbJudgedOnChain) private {
        _enclaves[registration.enclave] = Enclave({
            provider: msg.sender,
            hardware: registration.hardware,
            status: EnclaveStatus.Active,
            expiresAt: registration.expiresAt,
            revokedAt: 0,
            revokedByCommittee: false,
            measurement: registration.measurement,
            hpkePublicKey: registration.hpkePublicKey,
            evidenceHash: registration.evidenceHash,
            collateralHash: registration.collateralHash,
            gpuEvidenceHash: registration.gpuEvidenceHash
        });
        emit EnclaveRegistered(registration.enclave, msg.sender, registration);
        if (market == address(0)) return;
        IEnclaveFeed(market).recordEnclave(
            registration.enclave,
            IEnclaveFeed.EnclaveAccess({
                provider: msg.sender,
                hardware: registration.hardware,
                expiresAt: registration.expiresAt,
                measurementIndex: _measurementIndexOf(registration.measurement),
                tcbJudgedOnChain: tcbJudgedOnChain
            }),
            registration.measurement
        );
    }

    function _revoke(address enclave, bool byCommittee) private {
        Enclave storage record = _enclaves[enclave];
        if (record.status != EnclaveStatus.Active) revert EnclaveNotActive(enclave);
        record.status = EnclaveStatus.Revoked;
        record.revokedAt = uint40(block.timestamp);
        record.revokedByCommittee = byCommittee;
        _releasePlatformOf(enclave);
        if (market != address(0)) IEnclaveFeed(market).removeEnclave(enclave);
    }
}
