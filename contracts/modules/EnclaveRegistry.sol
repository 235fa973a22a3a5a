// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IEnclaveRegistry} from "../interfaces/IEnclaveRegistry.sol";
import {Governance} from "./Governance.sol";
import {Offers} from "./Offers.sol";

/**
 * @title EnclaveRegistry
 * @notice Enclaves approved by the committee, with expiry and revocation.
 */
abstract contract EnclaveRegistry is IEnclaveRegistry, Governance, Offers, EIP712 {
    /// @dev Must match `enclaveApprovalTypes` in src/protocol/enclaveApproval.ts.
    bytes32 public constant ENCLAVE_APPROVAL_TYPEHASH = keccak256(
        "EnclaveApproval(address enclave,address provider,uint8 hardware,uint40 expiresAt,bytes32 measurement,bytes32 hpkePublicKey,bytes32 evidenceHash)"
    );
    bytes32 public constant ENCLAVE_REVOCATION_TYPEHASH = keccak256("EnclaveRevocation(address enclave)");

    mapping(address enclave => Enclave) internal _enclaves;

    /// @inheritdoc IEnclaveRegistry
    function registerEnclave(EnclaveRegistration calldata registration, bytes[] calldata approvals) external {
        if (
            registration.provider != msg.sender || registration.enclave == address(0)
                || registration.hpkePublicKey == bytes32(0) || registration.expiresAt <= block.timestamp
                || registration.hardware > MAX_HARDWARE
        ) revert InvalidRegistration();
        if (_enclaves[registration.enclave].status != EnclaveStatus.None) {
            revert EnclaveAlreadyRegistered(registration.enclave);
        }
        if (!isMeasurementAllowed(registration.measurement)) revert MeasurementNotAllowed(registration.measurement);
        _requireCommitteeApproval(_hashTypedDataV4(keccak256(abi.encode(ENCLAVE_APPROVAL_TYPEHASH, registration))), approvals);
        _enclaves[registration.enclave] = Enclave({
            provider: msg.sender,
            hardware: registration.hardware,
            status: EnclaveStatus.Active,
            expiresAt: registration.expiresAt,
            measurement: registration.measurement,
            hpkePublicKey: registration.hpkePublicKey,
            evidenceHash: registration.evidenceHash
        });
        emit EnclaveRegistered(
            registration.enclave,
            msg.sender,
            registration.hardware,
            registration.expiresAt,
            registration.measurement,
            registration.hpkePublicKey,
            registration.evidenceHash
        );
    }

    /// @inheritdoc IEnclaveRegistry
    function revokeEnclave(address enclave) external {
        Enclave storage record = _enclaves[enclave];
        if (record.provider != msg.sender) revert NotEnclaveProvider(enclave, msg.sender);
        if (record.status != EnclaveStatus.Active) revert EnclaveNotActive(enclave);
        record.status = EnclaveStatus.Revoked;
        emit EnclaveRevoked(enclave, msg.sender);
    }

    /// @inheritdoc IEnclaveRegistry
    function revokeEnclaveByCommittee(address enclave, bytes[] calldata approvals) external {
        Enclave storage record = _enclaves[enclave];
        if (record.status != EnclaveStatus.Active) revert EnclaveNotActive(enclave);
        _requireCommitteeApproval(_hashTypedDataV4(keccak256(abi.encode(ENCLAVE_REVOCATION_TYPEHASH, enclave))), approvals);
        record.status = EnclaveStatus.Revoked;
        emit EnclaveRevoked(enclave, address(0));
    }

    /// @inheritdoc IEnclaveRegistry
    function getEnclave(address enclave) external view returns (Enclave memory) {
        return _enclaves[enclave];
    }

    /// @inheritdoc IEnclaveRegistry
    function isEnclaveActive(address enclave) public view returns (bool) {
        Enclave storage record = _enclaves[enclave];
        return record.status == EnclaveStatus.Active && block.timestamp < record.expiresAt;
    }
}
