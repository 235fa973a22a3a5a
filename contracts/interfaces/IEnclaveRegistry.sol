// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title IEnclaveRegistry
 * @notice Enclave keys bound to attestation. An enclave becomes active when k of n committee
 * verifiers have checked its evidence and signed an EIP-712 `EnclaveApproval` of exactly its
 * fields; it stops being active when it expires, or is revoked by its provider or the committee.
 */
interface IEnclaveRegistry {
    enum EnclaveStatus {
        None,
        Active,
        Revoked
    }

    /// @notice What the committee approves, field for field.
    struct EnclaveRegistration {
        /// The enclave's secp256k1 signing address.
        address enclave;
        address provider;
        uint8 hardware;
        uint40 expiresAt;
        /// The runtime measurement the evidence reports.
        bytes32 measurement;
        /// The enclave's X25519 public key (RFC 9180) that data keys are wrapped to.
        bytes32 hpkePublicKey;
        /// SHA-256 of the evidence; the evidence itself is in the blob store.
        bytes32 evidenceHash;
    }

    struct Enclave {
        address provider;
        uint8 hardware;
        EnclaveStatus status;
        uint40 expiresAt;
        bytes32 measurement;
        bytes32 hpkePublicKey;
        bytes32 evidenceHash;
    }

    event EnclaveRegistered(
        address indexed enclave,
        address indexed provider,
        uint8 hardware,
        uint40 expiresAt,
        bytes32 measurement,
        bytes32 hpkePublicKey,
        bytes32 evidenceHash
    );
    /// @notice `enclave` was revoked by `by` (its provider, or the zero address for the committee).
    event EnclaveRevoked(address indexed enclave, address indexed by);

    error EnclaveAlreadyRegistered(address enclave);
    error EnclaveNotActive(address enclave);
    error NotEnclaveProvider(address enclave, address caller);
    error InvalidRegistration();
    error MeasurementNotAllowed(bytes32 measurement);

    /**
     * @notice Registers an enclave of the caller (who must be `registration.provider`).
     * @param approvals EIP-712 signatures of the registration by committee members, in increasing signer order.
     */
    function registerEnclave(EnclaveRegistration calldata registration, bytes[] calldata approvals) external;

    /// @notice Revokes one of the caller's enclaves.
    function revokeEnclave(address enclave) external;

    /// @notice Revokes an enclave with `EnclaveRevocation(enclave)` signatures of k committee members.
    function revokeEnclaveByCommittee(address enclave, bytes[] calldata approvals) external;

    /// @notice The record of `enclave` (status None if it was never registered).
    function getEnclave(address enclave) external view returns (Enclave memory);

    /// @notice Whether `enclave` is registered, not revoked and not expired.
    function isEnclaveActive(address enclave) external view returns (bool);
}
