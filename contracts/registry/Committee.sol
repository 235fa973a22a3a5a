// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IEnclaveRegistry} from "../interfaces/IEnclaveRegistry.sol";
import {MeasurementLog} from "./MeasurementLog.sol";

/**
 * @title Committee
 * @notice The k-of-n verifier committee, in epochs. Approvals name the epoch they were signed
 * for and count only in that epoch, so a member's old signatures never come back to life when it
 * is removed and later re-added.
 */
abstract contract Committee is MeasurementLog {
    /// @notice The current committee's epoch; a member's epoch equals it.
    uint64 public committeeEpoch;
    /// @notice Approvals needed from the current committee.
    uint8 public committeeThreshold;
    mapping(address member => uint64 epoch) private _memberEpoch;

    address[] private _pendingMembers;
    uint8 private _pendingThreshold;
    uint40 private _pendingCommitteeEffectiveAt;

    /// @dev The genesis committee is part of the deployment and effective at once.
    constructor(address[] memory genesisCommittee, uint8 genesisThreshold) {
        _checkCommittee(genesisCommittee, genesisThreshold);
        _pendingMembers = genesisCommittee;
        _pendingThreshold = genesisThreshold;
        emit CommitteeProposed(1, genesisCommittee, genesisThreshold, uint40(block.timestamp));
        _activateCommittee();
    }

    /// @inheritdoc IEnclaveRegistry
    function proposeCommittee(address[] calldata members, uint8 threshold) external onlyGovernor {
        _checkCommittee(members, threshold);
        _pendingMembers = members;
        _pendingThreshold = threshold;
        _pendingCommitteeEffectiveAt = uint40(block.timestamp) + governanceDelay;
        emit CommitteeProposed(committeeEpoch + 1, members, threshold, _pendingCommitteeEffectiveAt);
    }

    /// @inheritdoc IEnclaveRegistry
    function activateCommittee() external {
        if (_pendingMembers.length == 0) revert NoPendingChange();
        if (block.timestamp < _pendingCommitteeEffectiveAt) revert ChangeNotYetEffective(_pendingCommitteeEffectiveAt);
        _activateCommittee();
    }

    /// @inheritdoc IEnclaveRegistry
    function isCommitteeMember(address account) public view returns (bool) {
        return account != address(0) && _memberEpoch[account] == committeeEpoch;
    }

    /**
     * @dev Reverts unless `signatures` over `digest` come from at least `committeeThreshold`
     * distinct members of the current committee, in strictly increasing signer order, and were
     * made for the current epoch.
     */
    function _requireCommitteeApproval(bytes32 digest, uint64 epoch, bytes[] calldata signatures) internal view {
        if (epoch != committeeEpoch) revert StaleCommitteeEpoch(epoch, committeeEpoch);
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
