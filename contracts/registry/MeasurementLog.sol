// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {MarketWiring} from "../feeds/MarketWiring.sol";
import {IEnclaveFeed} from "../interfaces/IEnclaveFeed.sol";
import {IEnclaveRegistry} from "../interfaces/IEnclaveRegistry.sol";
import {IMarketSources} from "../interfaces/IMarketWiring.sol";

/**
 * @title MeasurementLog
 * @notice The runtime-measurement allow-list as a transparency log: every addition carries its
 * provenance and takes effect after the governance delay; a removal is immediate and kept, so
 * the list at any past time can be answered on-chain and rebuilt from the events alone. Also the
 * governor: the one account (a timelock whose proposer is a multisig) that may change governed
 * parts, handed over only after the delay. A removal is pushed to the attached market as the
 * measurement's index in the log, which bars every enclave running it there at once.
 */
abstract contract MeasurementLog is IEnclaveRegistry, MarketWiring {
    /// @notice Seconds between proposing an addition or committee change and its effect.
    uint40 public immutable governanceDelay;

    /// @notice The account that may propose changes.
    address public governor;
    address public pendingGovernor;
    uint40 public pendingGovernorEffectiveAt;

    mapping(bytes32 measurement => MeasurementEntry) private _measurements;
    /// @dev Measurements ever listed: the next one's index.
    uint32 private _measurementCount;

    modifier onlyGovernor() {
        if (msg.sender != governor) revert NotGovernor(msg.sender);
        _;
    }

    /// @dev The genesis allow-list is part of the deployment and effective at once.
    constructor(address governor_, uint40 governanceDelay_, bytes32[] memory genesisMeasurements) {
        governor = governor_;
        governanceDelay = governanceDelay_;
        emit GovernorChanged(address(0), governor_);
        for (uint256 i; i < genesisMeasurements.length; ++i) {
            _list(genesisMeasurements[i], uint40(block.timestamp), "genesis");
        }
    }

    /// @inheritdoc IEnclaveRegistry
    function proposeMeasurement(bytes32 measurement, string calldata provenanceUri) external onlyGovernor {
        _list(measurement, uint40(block.timestamp) + governanceDelay, provenanceUri);
    }

    /// @inheritdoc IEnclaveRegistry
    function removeMeasurement(bytes32 measurement) external onlyGovernor {
        MeasurementEntry storage entry = _measurements[measurement];
        if (entry.effectiveAt == 0 || entry.removedAt != 0) revert MeasurementNotListed(measurement);
        entry.removedAt = uint40(block.timestamp);
        emit MeasurementRemoved(measurement);
        if (market != address(0)) IEnclaveFeed(market).barMeasurement(entry.index);
    }

    /// @inheritdoc IEnclaveRegistry
    function proposeGovernor(address next) external onlyGovernor {
        pendingGovernor = next;
        pendingGovernorEffectiveAt = uint40(block.timestamp) + governanceDelay;
        emit GovernorProposed(next, pendingGovernorEffectiveAt);
    }

    /// @inheritdoc IEnclaveRegistry
    function acceptGovernance() external {
        if (pendingGovernor == address(0) || msg.sender != pendingGovernor) revert NoPendingChange();
        if (block.timestamp < pendingGovernorEffectiveAt) revert ChangeNotYetEffective(pendingGovernorEffectiveAt);
        emit GovernorChanged(governor, msg.sender);
        governor = msg.sender;
        delete pendingGovernor;
        delete pendingGovernorEffectiveAt;
    }

    /// @notice The log entry of `measurement`.
    function measurementEntry(bytes32 measurement) external view returns (MeasurementEntry memory) {
        return _measurements[measurement];
    }

    /// @inheritdoc IEnclaveRegistry
    function isMeasurementAllowed(bytes32 measurement) public view returns (bool) {
        return isMeasurementAllowedAt(measurement, uint40(block.timestamp));
    }

    /// @inheritdoc IEnclaveRegistry
    function isMeasurementAllowedAt(bytes32 measurement, uint40 time) public view returns (bool) {
        MeasurementEntry storage entry = _measurements[measurement];
        return entry.effectiveAt != 0 && entry.effectiveAt <= time && (entry.removedAt == 0 || time < entry.removedAt);
    }

    /// @dev Its place in the log, which the market knows it by.
    function _measurementIndexOf(bytes32 measurement) internal view returns (uint32) {
        return _measurements[measurement].index;
    }

    /// @dev The market must read its enclaves from this registry.
    function _isWiredToThis(address market_) internal view override returns (bool) {
        return IMarketSources(market_).registry() == address(this);
    }

    /// @dev Measurement removed at or before `time` (zero `removedAt` means never).
    function _measurementRemovedBy(bytes32 measurement, uint40 time) internal view returns (bool) {
        uint40 removedAt = _measurements[measurement].removedAt;
        return removedAt != 0 && removedAt <= time;
    }

    function _list(bytes32 measurement, uint40 effectiveAt, string memory provenanceUri) private {
        if (_measurements[measurement].effectiveAt != 0) revert MeasurementAlreadyListed(measurement);
        _measurements[measurement] = MeasurementEntry({
            effectiveAt: effectiveAt,
            removedAt: 0,
            index: _measurementCount++
        });
        emit MeasurementProposed(measurement, effectiveAt, provenanceUri);
    }
}
