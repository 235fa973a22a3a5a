// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IGovernance} from "../interfaces/IGovernance.sol";

/**
 * @title Governance
 * @notice Measurement allow-list with a delay (the events alone rebuild it at any block) and the
 * k-of-n verifier committee. The governor is meant to be a multisig or a DAO; it holds no power
 * over escrow or stakes.
 */
abstract contract Governance is IGovernance {
    /// @notice Seconds between proposing an addition or committee change and its effect.
    uint40 public immutable governanceDelay;

    /// @notice The account that may propose changes.
    address public governor;
    address public pendingGovernor;
    uint40 public pendingGovernorEffectiveAt;

    /// @notice When each measurement became (or becomes) allowed; zero if not listed.
    mapping(bytes32 measurement => uint40) public measurementEffectiveAt;

    /// @notice The current committee's epoch; a member's epoch equals it.
    uint64 public committeeEpoch;
    /// @notice Approvals needed from the current committee.
    uint8 public committeeThreshold;
    mapping(address member => uint64 epoch) private _memberEpoch;

    address[] private _pendingMembers;
    uint8 private _pendingThreshold;
    uint40 private _pendingCommitteeEffectiveAt;

    modifier onlyGovernor() {
        if (msg.sender != governor) revert NotGovernor(msg.sender);
        _;
    }

    /// @dev The genesis allow-list and committee are part of the deployment and effective at once.
    constructor(
        address governor_,
        uint40 governanceDelay_,
        bytes32[] memory genesisMeasurements,
        address[] memory genesisCommittee,
        uint8 genesisThreshold
    ) {
        governor = governor_;
        governanceDelay = governanceDelay_;
        emit GovernorChanged(address(0), governor_);
        for (uint256 i; i < genesisMeasurements.length; ++i) {
            measurementEffectiveAt[genesisMeasurements[i]] = uint40(block.timestamp);
            emit MeasurementProposed(genesisMeasurements[i], uint40(block.timestamp), "genesis");
        }
        _checkCommittee(genesisCommittee, genesisThreshold);
        _pendingMembers = genesisCommittee;
        _pendingThreshold = genesisThreshold;
        emit CommitteeProposed(1, genesisCommittee, genesisThreshold, uint40(block.timestamp));
        _activateCommittee();
    }

    /// @inheritdoc IGovernance
    function proposeMeasurement(bytes32 measurement, string calldata provenanceUri) external onlyGovernor {
        if (measurementEffectiveAt[measurement] != 0) revert MeasurementAlreadyListed(measurement);
        uint40 effectiveAt = uint40(block.timestamp) + governanceDelay;
        measurementEffectiveAt[measurement] = effectiveAt;
        emit MeasurementProposed(measurement, effectiveAt, provenanceUri);
    }

    /// @inheritdoc IGovernance
    function removeMeasurement(bytes32 measurement) external onlyGovernor {
        if (measurementEffectiveAt[measurement] == 0) revert MeasurementNotListed(measurement);
        delete measurementEffectiveAt[measurement];
        emit MeasurementRemoved(measurement);
    }

    /// @inheritdoc IGovernance
    function proposeCommittee(address[] calldata members, uint8 threshold) external onlyGovernor {
        _checkCommittee(members, threshold);
        _pendingMembers = members;
        _pendingThreshold = threshold;
        _pendingCommitteeEffectiveAt = uint40(block.timestamp) + governanceDelay;
        emit CommitteeProposed(committeeEpoch + 1, members, threshold, _pendingCommitteeEffectiveAt);
    }

    /// @inheritdoc IGovernance
    function activateCommittee() external {
        if (_pendingMembers.length == 0) revert NoPendingChange();
        if (block.timestamp < _pendingCommitteeEffectiveAt) revert ChangeNotYetEffective(_pendingCommitteeEffectiveAt);
        _activateCommittee();
    }

    /// @inheritdoc IGovernance
    function proposeGovernor(address next) external onlyGovernor {
        pendingGovernor = next;
        pendingGovernorEffectiveAt = uint40(block.timestamp) + governanceDelay;
        emit GovernorProposed(next, pendingGovernorEffectiveAt);
    }

    /// @inheritdoc IGovernance
    function acceptGovernance() external {
        if (pendingGovernor == address(0) || msg.sender != pendingGovernor) revert NoPendingChange();
        if (block.timestamp < pendingGovernorEffectiveAt) revert ChangeNotYetEffective(pendingGovernorEffectiveAt);
        emit GovernorChanged(governor, msg.sender);
        governor = msg.sender;
        delete pendingGovernor;
        delete pendingGovernorEffectiveAt;
    }

    /// @inheritdoc IGovernance
    function isMeasurementAllowed(bytes32 measurement) public view returns (bool) {
        uint40 effectiveAt = measurementEffectiveAt[measurement];
        return effectiveAt != 0 && block.timestamp >= effectiveAt;
    }

    /// @inheritdoc IGovernance
    function isCommitteeMember(address account) public view returns (bool) {
        return account != address(0) && _memberEpoch[account] == committeeEpoch;
    }

    /**
     * @dev Reverts unless `signatures` over `digest` come from at least `committeeThreshold`
     * distinct members of the current committee, in strictly increasing signer order.
     */
    function _requireCommitteeApproval(bytes32 digest, bytes[] calldata signatures) internal view {
        address previous;
        for (uint256 i; i < signatures.length; ++i) {
            address signer = ECDSA.recoverCalldata(digest, signatures[i]);
            if (signer <= previous || !isCommitteeMember(signer)) revert InvalidApprover(signer);
            previous = signer;
        }
        if (signatures.length < committeeThreshold) revert NotEnoughApprovals(signatures.length, committeeThreshold);
    }

    function _activateCommittee() private {
        uint64 epoch = ++committeeEpoch;
        address[] memory members = _pendingMembers;
        for (uint256 i; i < members.length; ++i) {
            _memberEpoch[members[i]] = epoch;
        }
        committeeThreshold = _pendingThreshold;
        delete _pendingMembers;
        delete _pendingThreshold;
        delete _pendingCommitteeEffectiveAt;
        emit CommitteeActivated(epoch);
    }

    function _checkCommittee(address[] memory members, uint8 threshold) private pure {
        if (threshold == 0 || threshold > members.length) revert InvalidCommittee();
        address previous;
        for (uint256 i; i < members.length; ++i) {
            if (members[i] <= previous) revert InvalidCommittee();
            previous = members[i];
        }
    }
}
