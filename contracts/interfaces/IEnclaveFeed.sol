// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IEnclaveRegistry} from "./IEnclaveRegistry.sol";

/**
 * @title IEnclaveFeed
 * @notice What the market keeps of each enclave so that creating and completing an order read
 * the market's own storage instead of calling the registry. The registry pushes every change
 * of an enclave's usability here, in the transaction that makes it: registration, a renewed
 * expiry, revocation and the removal of a measurement (one bit per measurement, not one write
 * per enclave). Expiry is compared against the kept expiry; the TCB status of an enclave verified
 * on-chain changes with collateral anyone may post, so the market asks the registry about such
 * an enclave at every use. Served by the market's delegate; call it on the market's address.
 */
interface IEnclaveFeed {
    /// @notice An enclave as the market keeps it: one storage slot.
    struct EnclaveAccess {
        /// The provider the enclave is bound to; zero: not registered, or revoked.
        address provider;
        IEnclaveRegistry.Hardware hardware;
        uint40 expiresAt;
        /// Its measurement's place in the registry's log ({IEnclaveRegistry-MeasurementEntry}).
        uint32 measurementIndex;
        /// Verified on-chain: its platform's TCB status is judged by the registry at every use.
        bool tcbJudgedOnChain;
    }

    /// @notice The market now keeps `access` for `enclave` (registered or renewed).
    event EnclaveAccessRecorded(address indexed enclave, EnclaveAccess access);
    /// @notice `enclave` was revoked: the market refuses it from now on.
    event EnclaveAccessRemoved(address indexed enclave);
    /// @notice The measurement at `measurementIndex` left the allow-list: every enclave running it is refused.
    event MeasurementBarred(uint32 indexed measurementIndex);

    /// @notice Only the market's registry may change what the market keeps of enclaves.
    error NotRegistry(address caller);

    /// @notice Keeps `access` and `measurement` for a newly registered `enclave`. The registry only.
    function recordEnclave(address enclave, EnclaveAccess calldata access, bytes32 measurement) external;

    /// @notice `enclave` attested again and now expires at `expiresAt`. The registry only.
    function recordEnclaveExpiry(address enclave, uint40 expiresAt) external;

    /// @notice `enclave` was revoked. The registry only.
    function removeEnclave(address enclave) external;

    /// @notice The measurement at `measurementIndex` in the registry's log was removed. The registry only.
    function barMeasurement(uint32 measurementIndex) external;

    /// @notice What the market keeps of `enclave` (provider zero if nothing).
    function enclaveAccessOf(address enclave) external view returns (EnclaveAccess memory access, bytes32 measurement);

    /// @notice Whether the measurement at `measurementIndex` was removed from the allow-list.
    function isMeasurementBarred(uint32 measurementIndex) external view returns (bool);
}
