// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title IEnclaveRegistry
 * @notice Which enclaves may run orders: the runtime-measurement allow-list (a transparency log),
 * the k-of-n verifier committee that checks enclave evidence, and the enclaves it approved, each
 * bound to one provider, with expiry and revocation. The market asks it whether an enclave is
 * usable and whether a missed deadline was the provider's fault.
 *
 * Measurement additions and committee changes take effect only after `governanceDelay`; removing
 * a measurement is immediate. The governor (a timelock whose proposer is a multisig) can never
 * move funds: this contract holds none.
 */
interface IEnclaveRegistry {
    /// @notice The kind of TEE an enclave runs on. `Sim` is the simulated TEE: development only.
    enum Hardware {
        Sim,
        Tdx,
        SevSnp,
        Sgx,
        NvidiaCc
    }

    enum EnclaveStatus {
        None,
        Active,
        Revoked
    }

    /// @notice What the committee approves, field for field (EIP-712 `EnclaveApproval`, plus the committee epoch).
    struct EnclaveRegistration {
        /// The enclave's secp256k1 signing address: its identity.
        address enclave;
        /// The provider the enclave's report_data binds it to; must be the caller of {registerEnclave}.
        address provider;
        Hardware hardware;
        uint40 expiresAt;
        /// The 32-byte runtime measurement the evidence reports.
        bytes32 measurement;
        /// The enclave's X25519 public key (RFC 9180) that data keys are sealed to.
        bytes32 hpkePublicKey;
        /// SHA-256 of the evidence; the evidence itself is in the blob store.
        bytes32 evidenceHash;
        /// SHA-256 of the collateral bundle a verifier needs offline (zero for sim).
        bytes32 collateralHash;
        /// SHA-256 of the GPU evidence bound in report_data (zero without a confidential GPU).
        bytes32 gpuEvidenceHash;
    }

    struct Enclave {
        address provider;
        Hardware hardware;
        EnclaveStatus status;
        uint40 expiresAt;
        /// When it was revoked (zero if it is not).
        uint40 revokedAt;
        /// Whether the committee revoked it (rather than its provider).
        bool revokedByCommittee;
        bytes32 measurement;
        bytes32 hpkePublicKey;
        bytes32 evidenceHash;
        bytes32 collateralHash;
        bytes32 gpuEvidenceHash;
    }

    /// @notice A measurement's place in the transparency log.
    struct MeasurementEntry {
        /// When it joined (or joins) the allow-list; zero if it was never listed.
        uint40 effectiveAt;
        /// When it was removed; zero if it is still listed.
        uint40 removedAt;
    }

    /// @notice `measurement` joins the allow-list at `effectiveAt`; `provenanceUri` points to its build provenance.
    event MeasurementProposed(bytes32 indexed measurement, uint40 effectiveAt, string provenanceUri);
    /// @notice `measurement` left the allow-list.
    event MeasurementRemoved(bytes32 indexed measurement);
    /// @notice A committee for `epoch` was proposed; {activateCommittee} makes it current at `effectiveAt`.
    event CommitteeProposed(uint64 indexed epoch, address[] members, uint8 threshold, uint40 effectiveAt);
    /// @notice The committee of `epoch` is now the one whose approvals count.
    event CommitteeActivated(uint64 indexed epoch);
    /// @notice `next` may become governor at `effectiveAt` by calling {acceptGovernance}.
    event GovernorProposed(address indexed next, uint40 effectiveAt);
    event GovernorChanged(address indexed previous, address indexed next);
    event EnclaveRegistered(address indexed enclave, address indexed provider, EnclaveRegistration registration);
    /// @notice `enclave` was revoked by `by` (its provider, or the zero address for the committee).
    event EnclaveRevoked(address indexed enclave, address indexed by);

    /// @notice Only the governor may make this change.
    error NotGovernor(address caller);
    /// @notice The measurement is (or was once) on the allow-list; a removed one is never listed again.
    error MeasurementAlreadyListed(bytes32 measurement);
    /// @notice The measurement is not on the allow-list.
    error MeasurementNotListed(bytes32 measurement);
    /// @notice Committee members must be strictly increasing and the threshold between 1 and their number.
    error InvalidCommittee();
    /// @notice There is no proposed change to complete.
    error NoPendingChange();
    /// @notice The proposed change takes effect only at `effectiveAt`.
    error ChangeNotYetEffective(uint40 effectiveAt);
    /// @notice A signature is not by a current committee member, or signers are not strictly increasing.
    error InvalidApprover(address recovered);
    /// @notice Fewer valid approvals than the threshold.
    error NotEnoughApprovals(uint256 valid, uint256 threshold);
    /// @notice The approvals were made for another committee epoch.
    error StaleCommitteeEpoch(uint64 signedFor, uint64 current);
    /// @notice Only the provider named in the registration may register it.
    error NotRegistrationProvider(address provider, address caller);
    /// @notice A registration field is unusable (zero key, zero enclave, past expiry, unknown hardware).
    error InvalidRegistration();
    error EnclaveAlreadyRegistered(address enclave);
    error EnclaveNotActive(address enclave);
    error NotEnclaveProvider(address enclave, address caller);
    /// @notice The enclave cannot run orders now: revoked, expired, or its measurement is not allowed.
    error EnclaveNotUsable(address enclave);
    /// @notice The measurement is not on the allow-list now.
    error MeasurementNotAllowed(bytes32 measurement);

    /// @notice Lists `measurement` after the governance delay. Governor only.
    function proposeMeasurement(bytes32 measurement, string calldata provenanceUri) external;

    /// @notice Removes `measurement` at once: enclaves running it can complete no more orders. Governor only.
    function removeMeasurement(bytes32 measurement) external;

    /// @notice Proposes a new committee (`members` in strictly increasing order, `threshold` of them needed). Governor only.
    function proposeCommittee(address[] calldata members, uint8 threshold) external;

    /// @notice Makes the proposed committee current once its delay has passed. Anyone may call.
    function activateCommittee() external;

    /// @notice Proposes a new governor, who can take over after the delay. Governor only.
    function proposeGovernor(address next) external;

    /// @notice Completes a governor change once its delay has passed. The proposed governor only.
    function acceptGovernance() external;

    /**
     * @notice Registers an enclave of the caller (who must be `registration.provider`).
     * @param committeeEpoch The committee epoch the approvals were signed for: the current one.
     * @param approvals EIP-712 signatures of the registration by committee members, in increasing signer order.
     */
    function registerEnclave(
        EnclaveRegistration calldata registration,
        uint64 committeeEpoch,
        bytes[] calldata approvals
    ) external;

    /// @notice Revokes one of the caller's enclaves.
    function revokeEnclave(address enclave) external;

    /// @notice Revokes an enclave with `EnclaveRevocation(enclave, committeeEpoch)` signatures of k committee members.
    function revokeEnclaveByCommittee(address enclave, uint64 committeeEpoch, bytes[] calldata approvals) external;

    /// @notice The record of `enclave` (status None if it was never registered).
    function getEnclave(address enclave) external view returns (Enclave memory);

    /// @notice Whether `enclave` is registered, not revoked, not expired and runs an allowed measurement.
    function isEnclaveUsable(address enclave) external view returns (bool);

    /**
     * @notice What the market needs to create an order on `enclave`; reverts with {EnclaveNotUsable} unless it is usable.
     * @return provider The provider the enclave is bound to.
     * @return hardware Its hardware kind.
     * @return measurement Its runtime measurement.
     * @return expiresAt When its registration expires: an order's deadline may not be later.
     */
    function enclaveForOrder(
        address enclave
    ) external view returns (address provider, Hardware hardware, bytes32 measurement, uint40 expiresAt);

    /**
     * @notice Whether a provider that missed a deadline at `time` on `enclave` is excused: by then
     * governance had removed the enclave's measurement, or the committee had revoked the enclave.
     */
    function isExcusedAt(address enclave, uint40 time) external view returns (bool);

    /// @notice Whether `measurement` is on the allow-list now.
    function isMeasurementAllowed(bytes32 measurement) external view returns (bool);

    /// @notice Whether `measurement` was on the allow-list at `time` (the log's history).
    function isMeasurementAllowedAt(bytes32 measurement, uint40 time) external view returns (bool);

    /// @notice Whether `account` is a member of the current committee.
    function isCommitteeMember(address account) external view returns (bool);
}
