// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ITdxAttestationErrors} from "../attestation/ITdxAttestationErrors.sol";
import {TcbStatus, TdxPlatformTcb} from "../attestation/ITdxQuoteVerifier.sol";
import {IMarketWiring} from "./IMarketWiring.sol";

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
 *
 * An Intel TDX enclave may instead register without the committee: the registry verifies its quote
 * on-chain ({registerTdxEnclave}), binds its platform to its provider, and judges its platform's
 * TCB status under the collateral posted since whenever the enclave is used. It inherits the TDX
 * verifier's errors so that a caller decodes a quote's failure from the registry's ABI alone.
 *
 * Every change of an enclave's usability is pushed to the attached market ({IMarketWiring},
 * {IEnclaveFeed}) in the same transaction, so the market decides from its own copy.
 */
interface IEnclaveRegistry is ITdxAttestationErrors, IMarketWiring {
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

    /**
     * @notice The provider a hardware platform is bound to, while any enclave it registered on it
     * can still be used: until `boundUntil` (the latest expiry of those enclaves) or until they are
     * all revoked, whichever comes first. Then the platform is free for any provider.
     */
    struct PlatformBinding {
        address provider;
        /// The latest expiry among the enclaves registered on the platform in this binding.
        uint40 boundUntil;
        /// Enclaves of this binding not revoked yet.
        uint24 liveEnclaves;
        /// Counts the platform's bindings, so an enclave of an earlier binding never touches a later one.
        uint32 epoch;
    }

    /// @notice A measurement's place in the transparency log.
    struct MeasurementEntry {
        /// When it joined (or joins) the allow-list; zero if it was never listed.
        uint40 effectiveAt;
        /// When it was removed; zero if it is still listed.
        uint40 removedAt;
        /// Its place in the log (0 for the first listed): the market bars a removed measurement by it.
        uint32 index;
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
    /// @notice Registration by on-chain quote verification uses `verifier` (zero: committee only), whose root is `rootKeyHash`.
    event TdxVerificationConfigured(address indexed verifier, bytes32 rootKeyHash, uint16 acceptedTcbStatuses);
    /// @notice The quote of `enclave` (SHA-256 `evidenceHash`) was verified on-chain, on `platform`, with this TCB status.
    event EnclaveQuoteVerified(
        address indexed enclave,
        bytes32 indexed platform,
        bytes32 evidenceHash,
        TcbStatus tcbStatus,
        uint32 tcbEvaluationDataNumber
    );
    /// @notice `enclave` attested again (a fresh quote, verified on-chain): its record now holds `registration`'s evidence, collateral and expiry.
    event EnclaveReattested(address indexed enclave, EnclaveRegistration registration);
    /// @notice `platform` is bound to `provider` from now on, in binding `epoch`.
    event PlatformBound(bytes32 indexed platform, address indexed provider, uint32 epoch);
    /// @notice Every enclave of binding `epoch` of `platform` is revoked: the platform is free for any provider.
    event PlatformReleased(bytes32 indexed platform, address indexed provider, uint32 epoch);

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
    /// @notice The enclave cannot run orders now: revoked, expired, its measurement is not allowed, or its TCB is suspended.
    error EnclaveNotUsable(address enclave);
    /// @notice The measurement is not on the allow-list now.
    error MeasurementNotAllowed(bytes32 measurement);
    /// @notice This registry has no on-chain TDX verifier (a network without the P-256 precompile): use the committee.
    error OnChainVerificationUnavailable();
    /// @notice A verifier rooted elsewhere than Intel's SGX Root CA is accepted on development chains only.
    error StandInRootOutsideDevelopment(bytes32 rootKeyHash, uint256 chainId);
    /// @notice The accepted TCB statuses must name at least one status, and never Revoked.
    error InvalidAcceptedTcbStatuses(uint16 accepted);
    /// @notice An enclave verified on-chain may be registered at most `limit` (Unix seconds) ahead.
    error ExpiryTooLate(uint40 expiresAt, uint40 limit);
    /// @notice The registration's evidence hash is not SHA-256 of the quote.
    error EvidenceHashMismatch(bytes32 registered, bytes32 quoteHash);
    /// @notice The quote's TCB status is not one this registry accepts.
    error TcbStatusNotAccepted(TcbStatus status);
    /// @notice The registration's measurement is not the one the quote's MRTD and RTMR0-3 give.
    error MeasurementMismatch(bytes32 registered, bytes32 quoted);
    /// @notice The quote's report_data does not bind the registration's keys, provider, chain and registry.
    error ReportDataMismatch(bytes32 expected, bytes32 reported);
    /// @notice The quote's freshness is not the hash of block `blockNumber`, or that block is not among the last 256.
    error FreshnessNotRecent(uint256 blockNumber, bytes32 freshness);
    /// @notice The platform is bound to another provider while an enclave of that provider on it can be used.
    error PlatformBoundToAnotherProvider(bytes32 platform, address provider);
    /// @notice A re-attestation must come from the platform the enclave registered on.
    error PlatformChanged(address enclave, bytes32 registered, bytes32 quoted);
    /// @notice The enclave was not registered by on-chain verification, so it cannot re-attest that way.
    error NotVerifiedOnChain(address enclave);
    /// @notice A re-attestation may renew evidence, collateral and expiry, never the enclave's keys, measurement or hardware, and never shorten its expiry.
    error ReattestationChangesEnclave(address enclave);
    /// @notice The TCB status query ran out of gas: call again with more gas.
    error TcbAssessmentStarved(address enclave);

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

    /**
     * @notice {registerEnclave} that also binds the enclave's hardware platform to the caller
     * ({PlatformBinding}), for evidence the registry cannot verify itself: the committee checked
     * `platform` against the evidence (SEV-SNP: SHA-256 of the report's CHIP_ID) and signed
     * `EnclavePlatformApproval` (the approval's fields, then `platform`, then the epoch).
     * @param platform The platform's identity; non-zero.
     */
    function registerEnclaveOnPlatform(
        EnclaveRegistration calldata registration,
        bytes32 platform,
        uint64 committeeEpoch,
        bytes[] calldata approvals
    ) external;

    /**
     * @notice Registers a TDX enclave of the caller without committee approvals: the quote is
     * verified on-chain against the collateral already posted ({ITdxQuoteVerifier-verifyQuote}),
     * its TCB status must be accepted ({acceptedTcbStatuses}), its MRTD and RTMR0-3 must give
     * `registration.measurement` (on the allow-list now), its report_data must bind the
     * registration (report_data v2) over the hash of block `freshnessBlock` (one of the last 256),
     * and its platform must not be bound to another provider ({PlatformBinding}).
     * @dev `registration.evidenceHash` must be SHA-256 of `quote`; `expiresAt` at most
     * {MAX_TDX_REGISTRATION_SECONDS} ahead, which also bounds how long a provider holds a platform.
     * @param quote The enclave's TDX quote, exactly as its evidence blob holds it.
     * @param freshnessBlock The number of the block whose hash is the second half of report_data.
     */
    function registerTdxEnclave(
        EnclaveRegistration calldata registration,
        bytes calldata quote,
        uint256 freshnessBlock
    ) external;

    /**
     * @notice Renews a usable enclave registered by {registerTdxEnclave} with a fresh quote from
     * the same platform, verified as there: after a platform update its TCB status is judged
     * from the new quote. Keys, measurement and hardware stay; evidence, collateral and a later
     * expiry replace the old ones. The enclave's provider only.
     */
    function reattestTdxEnclave(
        EnclaveRegistration calldata registration,
        bytes calldata quote,
        uint256 freshnessBlock
    ) external;

    /// @notice Revokes one of the caller's enclaves.
    function revokeEnclave(address enclave) external;

    /// @notice Revokes an enclave with `EnclaveRevocation(enclave, committeeEpoch)` signatures of k committee members.
    function revokeEnclaveByCommittee(address enclave, uint64 committeeEpoch, bytes[] calldata approvals) external;

    /// @notice The record of `enclave` (status None if it was never registered).
    function getEnclave(address enclave) external view returns (Enclave memory);

    /// @notice Whether `enclave` is registered, not revoked, not expired, runs an allowed measurement and is not TCB-suspended ({isTcbSuspended}).
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
     * governance had removed the enclave's measurement, or the committee had revoked the enclave,
     * or Intel had issued the collateral under which the enclave's platform is now suspended
     * ({isTcbSuspended}; collateral that merely lapsed excuses nobody, since anyone may post it).
     */
    function isExcusedAt(address enclave, uint40 time) external view returns (bool);

    /// @notice Whether `measurement` is on the allow-list now.
    function isMeasurementAllowed(bytes32 measurement) external view returns (bool);

    /// @notice Whether `measurement` was on the allow-list at `time` (the log's history).
    function isMeasurementAllowedAt(bytes32 measurement, uint40 time) external view returns (bool);

    /// @notice Whether `account` is a member of the current committee.
    function isCommitteeMember(address account) external view returns (bool);

    /// @notice The on-chain TDX quote verifier registration uses (zero: committee only).
    function tdxVerifier() external view returns (address);

    /// @notice Bit `i` set: TCB status `i` ({TcbStatus}) is accepted at registration and while an enclave is used.
    function acceptedTcbStatuses() external view returns (uint16);

    /**
     * @notice Whether `enclave` was verified on-chain and its platform is now below the accepted
     * TCB status under the collateral stored now (or that collateral is missing or out of date).
     * Such an enclave is not usable; it becomes usable again when newer collateral or a
     * re-attestation ({reattestTdxEnclave}) brings its status back.
     */
    function isTcbSuspended(address enclave) external view returns (bool);

    /// @notice The platform TCB kept from the quote `enclave` was last verified with (all zero if it never was).
    function tdxPlatformTcbOf(address enclave) external view returns (TdxPlatformTcb memory);

    /**
     * @notice The platform `enclave` registered on, and the provider that platform is bound to for
     * it: zero while the binding it registered in no longer holds (its enclaves expired or were revoked).
     * @return platform For TDX, the PCK certificate's platform instance ID, else its PPID (16 bytes, left-aligned); for SEV-SNP, SHA-256 of CHIP_ID; zero if none was registered.
     * @return boundProvider The provider the platform is bound to in the enclave's binding, or zero.
     */
    function platformOf(address enclave) external view returns (bytes32 platform, address boundProvider);

    /// @notice The current binding of `platform` (all zero if it was never bound).
    function platformBinding(bytes32 platform) external view returns (PlatformBinding memory);
}
