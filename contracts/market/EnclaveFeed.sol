// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IEnclaveFeed} from "../interfaces/IEnclaveFeed.sol";
import {OrderLifecycle} from "./OrderLifecycle.sol";

/**
 * @title EnclaveFeed
 * @notice {IEnclaveFeed}: the registry's pushes into the market's copy of its enclaves, served
 * by {OrderExits} on the market's storage. Only the registry the market was deployed with may
 * push, and only through the market.
 */
abstract contract EnclaveFeed is OrderLifecycle, IEnclaveFeed {
    modifier onlyRegistry() {
        _requireMarketStorage();
        if (msg.sender != address(registry)) revert NotRegistry(msg.sender);
        _;
    }

    /// @inheritdoc IEnclaveFeed
    function recordEnclave(address enclave, EnclaveAccess calldata access, bytes32 measurement) external onlyRegistry {
        _enclaveAccess[enclave] = access;
        _enclaveMeasurements[enclave] = measurement;
        emit EnclaveAccessRecorded(enclave, access);
    }

    /// @inheritdoc IEnclaveFeed
    function recordEnclaveExpiry(address enclave, uint40 expiresAt) external onlyRegistry {
        EnclaveAccess storage access = _enclaveAccess[enclave];
        access.expiresAt = expiresAt;
        emit EnclaveAccessRecorded(enclave, access);
    }

    /// @inheritdoc IEnclaveFeed
    function removeEnclave(address enclave) external onlyRegistry {
        delete _enclaveAccess[enclave];
        emit EnclaveAccessRemoved(enclave);
    }

    /// @inheritdoc IEnclaveFeed
    function barMeasurement(uint32 measurementIndex) external onlyRegistry {
        _barredMeasurements[measurementIndex >> 8] |= 1 << (measurementIndex & 0xff);
        emit MeasurementBarred(measurementIndex);
    }

    /// @inheritdoc IEnclaveFeed
    function enclaveAccessOf(address enclave) external view returns (EnclaveAccess memory, bytes32) {
        return (_enclaveAccess[enclave], _enclaveMeasurements[enclave]);
    }

    /// @inheritdoc IEnclaveFeed
    function isMeasurementBarred(uint32 measurementIndex) external view returns (bool) {
        return _isMeasurementBarred(measurementIndex);
    }
}
