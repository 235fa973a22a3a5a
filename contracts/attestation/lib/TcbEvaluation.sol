// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ITdxAttestationErrors} from "../ITdxAttestationErrors.sol";
import {QuoteIdentities} from "../ITdxCollateralStore.sol";
import {TcbStatus, TdxPlatformTcb} from "../ITdxQuoteVerifier.sol";
import {CollateralLayout as L} from "./CollateralLayout.sol";

/**
 * @title TcbEvaluation
 * @notice Intel's TCB status evaluation over a compact TCB info and QE identity ({CollateralLayout}),
 * a line-by-line port of `src/attestation/intel/evaluateTcbStatus.ts` and `matchIdentities.ts`
 * (Intel QVL TcbLevelCheck, TdxModuleCheck, TDRelaunchCheck and the QE identity convergence):
 * same levels matched, same order of failures, same statuses and advisories. Pure: dates and
 * signatures are the store's business.
 */
library TcbEvaluation {
    uint8 private constant UP_TO_DATE = uint8(TcbStatus.UpToDate);
    uint8 private constant OUT_OF_DATE = uint8(TcbStatus.OutOfDate);
    uint8 private constant REVOKED = uint8(TcbStatus.Revoked);
    /// @dev The high bit of every 16-bit lane.
    uint256 private constant LANE_HIGH_BITS = 0x8000800080008000800080008000800080008000800080008000800080008000;
    /// @dev "No TDX module" (major version 0): the module is not rated on its own.
    uint8 private constant MODULE_NONE = 0xfe;

    struct Result {
        TcbStatus status;
        uint16[] advisoryIds;
        uint40 tcbDate;
    }

    /// @dev Where each part of a compact TCB info starts.
    struct Levels {
        uint256 modules;
        uint256 moduleCount;
        uint256 levels;
        uint256 levelCount;
    }

    /// @dev The status of the platform `tcb` under `tcbInfo` and `qeIdentity`.
    function evaluate(
        bytes memory tcbInfo,
        bytes memory qeIdentity,
        TdxPlatformTcb memory tcb
    ) internal pure returns (Result memory result) {
        unchecked {
            (uint8 qeStatus, uint256 qeAdvisories) = qeLevelOf(qeIdentity, tcb.qeIsvSvn);
            Levels memory parts = partsOf(tcbInfo);
            (uint256 sgxLevel, uint256 tdxLevel) = matchLevels(tcbInfo, parts, tcb);
            if (sgxLevel == 0) revert ITdxAttestationErrors.NoMatchingSgxTcbLevel(tcb.fmspc);
            uint8 sgxStatus = tcbLevelStatus(L.read(tcbInfo, sgxLevel + L.LEVEL_STATUS, 1));
            if (tdxLevel == 0) revert ITdxAttestationErrors.NoMatchingTdxTcbLevel(tcb.fmspc);
            (uint8 moduleStatus, uint256 moduleAdvisories) = moduleStatusOf(tcbInfo, parts, tcb.teeTcbSvn);
            uint8 tdxStatus = convergeWith(tcbLevelStatus(L.read(tcbInfo, tdxLevel + L.LEVEL_STATUS, 1)), moduleStatus);
            if (tdxStatus != REVOKED && tcb.tdReport15) {
                tdxStatus = checkForRelaunch(
                    tcbInfo,
                    parts,
                    tcb.teeTcbSvn2,
                    sgxStatus,
                    tdxStatus,
                    moduleStatus,
                    qeStatus
                );
            }
            uint8 status = tdxStatus == REVOKED ? tdxStatus : convergeWith(tdxStatus, qeStatus);
            result.status = TcbStatus(status);
            result.tcbDate = uint40(L.read(tcbInfo, tdxLevel + L.LEVEL_TCB_DATE, 5));
            result.advisoryIds = advisorySet(
                tcbInfo,
                tdxLevel + L.LEVEL_ADVISORIES,
                moduleAdvisories,
                qeIdentity,
                qeAdvisories
            );
        }
    }

    /// @dev The QE identity and the TDX module named by the quote must be the ones Intel describes.
    function matchIdentities(
        bytes memory tcbInfo,
        bytes memory qeIdentity,
        bytes16 teeTcbSvn,
        QuoteIdentities memory ids
    ) internal pure {
        unchecked {
            bytes32 mrSigner = L.readBytes(qeIdentity, L.QE_MRSIGNER, 32);
            if (ids.qeMrSigner != mrSigner) revert ITdxAttestationErrors.QeMrSignerMismatch(ids.qeMrSigner, mrSigner);
            uint16 isvProdId = uint16(L.read(qeIdentity, L.QE_ISVPRODID, 2));
            if (ids.qeIsvProdId != isvProdId)
                revert ITdxAttestationErrors.QeIsvProdIdMismatch(ids.qeIsvProdId, isvProdId);
            uint32 miscSelect = uint32(L.read(qeIdentity, L.QE_MISCSELECT, 4));
            uint32 miscMask = uint32(L.read(qeIdentity, L.QE_MISCSELECT_MASK, 4));
            if (ids.qeMiscSelect & miscMask != miscSelect & miscMask) {
                revert ITdxAttestationErrors.QeMiscSelectMismatch(ids.qeMiscSelect, miscSelect, miscMask);
            }
            bytes16 attributes = bytes16(L.readBytes(qeIdentity, L.QE_ATTRIBUTES, 16));
            bytes16 attributesMask = bytes16(L.readBytes(qeIdentity, L.QE_ATTRIBUTES_MASK, 16));
            if (ids.qeAttributes & attributesMask != attributes & attributesMask) {
                revert ITdxAttestationErrors.QeAttributesMismatch(ids.qeAttributes, attributes, attributesMask);
            }

            // The TDX module: its identity TDX_<major> when the major version is not 0, else `tdxModule`.
            uint8 version = uint8(teeTcbSvn[1]);
            Levels memory parts = partsOf(tcbInfo);
            uint256 module = version > 0 ? moduleIdentityOf(tcbInfo, parts, version) : 0;
            uint256 signerAt;
            uint256 attributesAt;
            uint256 maskAt;
            if (module != 0) {
                (signerAt, attributesAt, maskAt) = (
                    module + L.MODULE_SIGNER,
                    module + L.MODULE_ATTRIBUTES,
                    module + L.MODULE_MASK
                );
            } else if (L.read(tcbInfo, L.TCB_HAS_TDX_MODULE, 1) == 1) {
                (signerAt, attributesAt, maskAt) = (
                    L.TCB_TDX_MODULE_SIGNER,
                    L.TCB_TDX_MODULE_ATTRIBUTES,
                    L.TCB_TDX_MODULE_MASK
                );
            } else {
                revert ITdxAttestationErrors.TdxModuleUnknown(version);
            }
            if (ids.mrSignerSeamHash != L.readBytes(tcbInfo, signerAt, 32)) {
                revert ITdxAttestationErrors.TdxModuleSignerMismatch(version);
            }
            bytes8 expected = bytes8(L.readBytes(tcbInfo, attributesAt, 8));
            bytes8 mask = bytes8(L.readBytes(tcbInfo, maskAt, 8));
            if (ids.seamAttributes & mask != expected & mask) {
                revert ITdxAttestationErrors.TdxModuleAttributesMismatch(ids.seamAttributes, expected, mask);
            }
        }
    }

    /// @dev The first QE level whose isvsvn the QE reaches: its status and where its advisories are.
    function qeLevelOf(bytes memory qeIdentity, uint16 isvSvn) private pure returns (uint8 status, uint256 advisories) {
        unchecked {
            uint256 count = L.read(qeIdentity, L.QE_LEVEL_COUNT, 1);
            uint256 at = L.QE_HEADER;
            for (uint256 i; i < count; ++i) {
                if (L.read(qeIdentity, at + L.QE_LEVEL_ISVSVN, 2) <= isvSvn) {
                    status = uint8(L.read(qeIdentity, at + L.QE_LEVEL_STATUS, 1));
                    if (status != UP_TO_DATE && status != OUT_OF_DATE && status != REVOKED) {
                        revert ITdxAttestationErrors.UnrecognisedTcbStatus(status);
                    }
                    return (status, at + L.QE_LEVEL_ADVISORIES);
                }
                at += L.QE_LEVEL_ADVISORIES + L.advisoriesLength(qeIdentity, at + L.QE_LEVEL_ADVISORIES);
            }
            revert ITdxAttestationErrors.NoMatchingQeTcbLevel(isvSvn);
        }
    }

    function partsOf(bytes memory tcbInfo) private pure returns (Levels memory parts) {
        unchecked {
            parts.modules = L.TCB_HEADER;
            parts.moduleCount = L.read(tcbInfo, L.TCB_MODULE_IDENTITY_COUNT, 1);
            uint256 at = parts.modules;
            for (uint256 i; i < parts.moduleCount; ++i) at += L.moduleIdentityLength(tcbInfo, at);
            parts.levels = at;
            parts.levelCount = L.read(tcbInfo, L.TCB_LEVEL_COUNT, 1);
        }
    }

    /**
     * @dev TcbLevelCheck `matchTcbLevels`: the first level the PCK certificate's TCB reaches, and
     * from there the first the TD's TEE_TCB_SVN reaches too (offsets into `tcbInfo`, 0 for none).
     */
    function matchLevels(
        bytes memory tcbInfo,
        Levels memory parts,
        TdxPlatformTcb memory tcb
    ) private pure returns (uint256 sgxLevel, uint256 tdxLevel) {
        unchecked {
            uint256 pckLanes = lanesOf(uint128(tcb.sgxTcbComponents));
            uint256 tdLanes = lanesOf(uint128(tcb.teeTcbSvn));
            // A TDX module of non-zero major version is rated by its own identity, not TEE_TCB_SVN bytes 0 and 1.
            uint256 tdMask = uint8(tcb.teeTcbSvn[1]) > 0 ? type(uint256).max >> 32 : type(uint256).max;
            uint256 at = parts.levels;
            for (uint256 i; i < parts.levelCount; ++i) {
                if (
                    reaches(pckLanes, lanesOf(L.read(tcbInfo, at + L.LEVEL_SGX, 16))) &&
                    tcb.pceSvn >= L.read(tcbInfo, at + L.LEVEL_PCESVN, 2)
                ) {
                    if (sgxLevel == 0) sgxLevel = at;
                    if (reaches(tdLanes, lanesOf(L.read(tcbInfo, at + L.LEVEL_TDX, 16)) & tdMask))
                        return (sgxLevel, at);
                }
                at += L.LEVEL_ADVISORIES + L.advisoriesLength(tcbInfo, at + L.LEVEL_ADVISORIES);
            }
        }
    }

    /// @dev 16 bytes spread into 16 lanes of 16 bits (byte 0 in the top lane), so lanes compare at once.
    function lanesOf(uint256 x) private pure returns (uint256) {
        unchecked {
            x = (x | (x << 64)) & 0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff;
            x = (x | (x << 32)) & 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff;
            x = (x | (x << 16)) & 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff;
            return (x | (x << 8)) & 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff;
        }
    }

    /// @dev Whether every lane of `have` is at least the same lane of `need` (lanes below 256).
    function reaches(uint256 have, uint256 need) private pure returns (bool) {
        unchecked {
            return ((have | LANE_HIGH_BITS) - need) & LANE_HIGH_BITS == LANE_HIGH_BITS;
        }
    }

    /// @dev A TCB level's status, which must be one of the seven a TCB info may give.
    function tcbLevelStatus(uint256 status) private pure returns (uint8) {
        unchecked {
            if (status > REVOKED) revert ITdxAttestationErrors.UnrecognisedTcbStatus(uint8(status));
            return uint8(status);
        }
    }

    /// @dev The offset of module identity `TDX_<version>` (the first with that version), 0 for none.
    function moduleIdentityOf(bytes memory tcbInfo, Levels memory parts, uint8 version) private pure returns (uint256) {
        unchecked {
            uint256 at = parts.modules;
            for (uint256 i; i < parts.moduleCount; ++i) {
                if (L.read(tcbInfo, at + L.MODULE_VERSION, 1) == version) return at;
                at += L.moduleIdentityLength(tcbInfo, at);
            }
            return 0;
        }
    }

    /// @dev TdxModuleCheck `checkTdxModuleTcbStatus`: the module's status and where its level's advisories are.
    function moduleStatusOf(
        bytes memory tcbInfo,
        Levels memory parts,
        bytes16 teeTcbSvn
    ) private pure returns (uint8 status, uint256 advisories) {
        unchecked {
            uint8 version = uint8(teeTcbSvn[1]);
            uint8 isvSvn = uint8(teeTcbSvn[0]);
            if (version == 0) return (MODULE_NONE, 0);
            uint256 module = moduleIdentityOf(tcbInfo, parts, version);
            if (module == 0) revert ITdxAttestationErrors.TdxModuleIdentityMissing(version);
            uint256 count = L.read(tcbInfo, module + L.MODULE_LEVEL_COUNT, 1);
            uint256 at = module + L.MODULE_HEADER;
            for (uint256 i; i < count; ++i) {
                if (isvSvn >= L.read(tcbInfo, at + L.MODULE_LEVEL_ISVSVN, 2)) {
                    status = uint8(L.read(tcbInfo, at + L.MODULE_LEVEL_STATUS, 1));
                    if (status != UP_TO_DATE && status != OUT_OF_DATE && status != REVOKED) {
                        revert ITdxAttestationErrors.UnrecognisedTcbStatus(status);
                    }
                    return (status, at + L.MODULE_LEVEL_ADVISORIES);
                }
                at += L.MODULE_LEVEL_ADVISORIES + L.advisoriesLength(tcbInfo, at + L.MODULE_LEVEL_ADVISORIES);
            }
            revert ITdxAttestationErrors.NoMatchingTdxModuleLevel(version, isvSvn);
        }
    }

    /**
     * @dev How an OutOfDate or Revoked TDX module or QE lowers a level's status
     * (convergeWithTdxModuleStatus and convergeWithQeStatus, which agree).
     */
    function convergeWith(uint8 levelStatus, uint8 otherStatus) private pure returns (uint8) {
        unchecked {
            if (otherStatus == OUT_OF_DATE) {
                if (levelStatus == uint8(TcbStatus.UpToDate) || levelStatus == uint8(TcbStatus.SWHardeningNeeded)) {
                    return OUT_OF_DATE;
                }
                if (
                    levelStatus == uint8(TcbStatus.ConfigurationNeeded) ||
                    levelStatus == uint8(TcbStatus.ConfigurationAndSWHardeningNeeded)
                ) return uint8(TcbStatus.OutOfDateConfigurationNeeded);
            }
            if (otherStatus == REVOKED) return REVOKED;
            return levelStatus;
        }
    }

    function isConfigurationNeeded(uint8 status) private pure returns (bool) {
        unchecked {
            return
                status == uint8(TcbStatus.ConfigurationNeeded) ||
                status == uint8(TcbStatus.OutOfDateConfigurationNeeded) ||
                status == uint8(TcbStatus.ConfigurationAndSWHardeningNeeded) ||
                status == uint8(TcbStatus.TDRelaunchAdvisedConfigurationNeeded);
        }
    }

    /// @dev TDRelaunchCheck `checkForRelaunch` (TD 1.5 reports).
    function checkForRelaunch(
        bytes memory tcbInfo,
        Levels memory parts,
        bytes16 teeTcbSvn2,
        uint8 sgxStatus,
        uint8 tdxStatus,
        uint8 moduleStatus,
        uint8 qeStatus
    ) private pure returns (uint8) {
        unchecked {
            if (qeStatus != UP_TO_DATE) return tdxStatus;
            if (sgxStatus > uint8(TcbStatus.ConfigurationAndSWHardeningNeeded)) return tdxStatus;
            if (tdxStatus != OUT_OF_DATE && tdxStatus != uint8(TcbStatus.OutOfDateConfigurationNeeded))
                return tdxStatus;
            if (moduleStatus != OUT_OF_DATE) return tdxStatus;
            if (parts.levelCount == 0) revert ITdxAttestationErrors.NoMatchingTdxTcbLevel(bytes6(0));
            // The latest TCB level comes first.
            uint256 latestTdx = parts.levels + L.LEVEL_TDX;
            uint8 relaunch =
                isConfigurationNeeded(sgxStatus) || isConfigurationNeeded(tdxStatus)
                    ? uint8(TcbStatus.TDRelaunchAdvisedConfigurationNeeded)
                    : uint8(TcbStatus.TDRelaunchAdvised);
            uint256 latestModuleSvn;
            uint8 version = uint8(teeTcbSvn2[1]);
            if (version == 0) {
                latestModuleSvn = L.read(tcbInfo, latestTdx, 1);
            } else {
                uint256 module = moduleIdentityOf(tcbInfo, parts, version);
                if (module == 0) revert ITdxAttestationErrors.TdxModuleIdentityMissing(version);
                if (L.read(tcbInfo, module + L.MODULE_LEVEL_COUNT, 1) == 0) {
                    revert ITdxAttestationErrors.NoMatchingTdxModuleLevel(version, uint8(teeTcbSvn2[0]));
                }
                latestModuleSvn = L.read(tcbInfo, module + L.MODULE_HEADER + L.MODULE_LEVEL_ISVSVN, 2);
            }
            if (uint8(teeTcbSvn2[0]) >= latestModuleSvn && uint8(teeTcbSvn2[2]) >= L.read(tcbInfo, latestTdx + 2, 1)) {
                return relaunch;
            }
            return tdxStatus;
        }
    }

    /**
     * @dev The advisories of the matched TDX level, the TDX module level (offset 0 for none) and the
     * QE level, as one sorted set: Intel's library keeps them in a std::set.
     */
    function advisorySet(
        bytes memory tcbInfo,
        uint256 levelAdvisories,
        uint256 moduleAdvisories,
        bytes memory qeIdentity,
        uint256 qeAdvisories
    ) private pure returns (uint16[] memory set) {
        unchecked {
            uint256 levelCount = L.read(tcbInfo, levelAdvisories, 1);
            uint256 moduleCount = moduleAdvisories == 0 ? 0 : L.read(tcbInfo, moduleAdvisories, 1);
            uint256 qeCount = L.read(qeIdentity, qeAdvisories, 1);
            set = new uint16[](levelCount + moduleCount + qeCount);
            uint256 size;
            size = insertAll(set, size, tcbInfo, levelAdvisories, levelCount);
            size = insertAll(set, size, tcbInfo, moduleAdvisories, moduleCount);
            size = insertAll(set, size, qeIdentity, qeAdvisories, qeCount);
            assembly ("memory-safe") {
                mstore(set, size)
            }
        }
    }

    /// @dev Inserts the `count` advisories listed at `data[at]` into the sorted, duplicate-free `set[0:size]`.
    function insertAll(
        uint16[] memory set,
        uint256 size,
        bytes memory data,
        uint256 at,
        uint256 count
    ) private pure returns (uint256) {
        unchecked {
            for (uint256 k; k < count; ++k) {
                uint16 id = uint16(L.read(data, at + 1 + 2 * k, 2));
                uint256 j = size;
                while (j > 0 && set[j - 1] > id) --j;
                if (j > 0 && set[j - 1] == id) continue;
                for (uint256 m = size; m > j; --m) set[m] = set[m - 1];
                set[j] = id;
                ++size;
            }
            return size;
        }
    }
}
