// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title IGovernance
 * @notice The governed parts of BOCC: the runtime-measurement allow-list (a transparency log) and
 * the verifier committee that approves enclaves. Additions and committee changes take effect only
 * after `governanceDelay`; removing a measurement is immediate. Governance can never move funds.
 */
interface IGovernance {
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

    error NotGovernor(address caller);
    error MeasurementAlreadyListed(bytes32 measurement);
    error MeasurementNotListed(bytes32 measurement);
    error InvalidCommittee();
    error NoPendingChange();
    error ChangeNotYetEffective(uint40 effectiveAt);
    error InvalidApprover(address recovered);
    error NotEnoughApprovals(uint256 valid, uint256 threshold);

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

    /// @notice Whether `measurement` is on the allow-list now.
    function isMeasurementAllowed(bytes32 measurement) external view returns (bool);

    /// @notice Whether `account` is a member of the current committee.
    function isCommitteeMember(address account) external view returns (bool);
}
