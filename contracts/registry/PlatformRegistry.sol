// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IEnclaveRegistry} from "../interfaces/IEnclaveRegistry.sol";

/**
 * @title PlatformRegistry
 * @notice Hardware platforms (for TDX the PCK certificate's platform instance ID or PPID) bound to
 * one provider at a time, so one machine cannot pose as several providers. A binding holds while
 * any enclave its provider registered on the platform can still be used, and ends by itself when
 * they have all expired or been revoked: no provider can release a platform its enclave still
 * runs on, and none can hold a platform longer than the registration it last proved it with.
 * `_platforms` changes only in `_bindPlatform`, `_extendPlatformBinding` and `_releasePlatformOf`.
 */
abstract contract PlatformRegistry is IEnclaveRegistry {
    struct EnclavePlatform {
        bytes32 platform;
        uint32 epoch;
    }

    mapping(bytes32 platform => PlatformBinding) private _platforms;
    mapping(address enclave => EnclavePlatform) private _enclavePlatforms;

    /// @inheritdoc IEnclaveRegistry
    function platformOf(address enclave) public view returns (bytes32 platform, address boundProvider) {
        EnclavePlatform memory registered = _enclavePlatforms[enclave];
        PlatformBinding memory binding = _platforms[registered.platform];
        if (registered.platform != 0 && binding.epoch == registered.epoch && _holds(binding)) {
            boundProvider = binding.provider;
        }
        return (registered.platform, boundProvider);
    }

    /// @inheritdoc IEnclaveRegistry
    function platformBinding(bytes32 platform) external view returns (PlatformBinding memory) {
        return _platforms[platform];
    }

    /**
     * @dev Binds `platform` to `provider` for `enclave` (expiring at `expiresAt`): joins the
     * binding in force if it is the provider's, starts a new one if none is in force, and reverts
     * if another provider's is.
     */
    function _bindPlatform(bytes32 platform, address enclave, address provider, uint40 expiresAt) internal {
        PlatformBinding storage binding = _platforms[platform];
        if (_holds(binding)) {
            if (binding.provider != provider) revert PlatformBoundToAnotherProvider(platform, binding.provider);
            binding.liveEnclaves += 1;
            if (expiresAt > binding.boundUntil) binding.boundUntil = expiresAt;
        } else {
            uint32 epoch = binding.epoch + 1;
            _platforms[platform] = PlatformBinding({
                provider: provider,
                boundUntil: expiresAt,
                liveEnclaves: 1,
                epoch: epoch
            });
            emit PlatformBound(platform, provider, epoch);
        }
        _enclavePlatforms[enclave] = EnclavePlatform({platform: platform, epoch: binding.epoch});
    }

    /// @dev A usable enclave renews its registration on the same platform, perhaps to a later expiry.
    function _extendPlatformBinding(bytes32 platform, address enclave, uint40 expiresAt) internal {
        EnclavePlatform memory registered = _enclavePlatforms[enclave];
        if (registered.platform != platform) revert PlatformChanged(enclave, registered.platform, platform);
        PlatformBinding storage binding = _platforms[platform];
        if (expiresAt > binding.boundUntil) binding.boundUntil = expiresAt;
    }

    /// @dev `enclave` was revoked: it no longer holds its platform's binding, which ends with its last enclave.
    function _releasePlatformOf(address enclave) internal {
        EnclavePlatform memory registered = _enclavePlatforms[enclave];
        if (registered.platform == 0) return;
        PlatformBinding storage binding = _platforms[registered.platform];
        if (binding.epoch != registered.epoch || binding.liveEnclaves == 0) return;
        binding.liveEnclaves -= 1;
        if (binding.liveEnclaves == 0) emit PlatformReleased(registered.platform, binding.provider, binding.epoch);
    }

    function _holds(PlatformBinding memory binding) private view returns (bool) {
        return binding.liveEnclaves != 0 && block.timestamp < binding.boundUntil;
    }
}
