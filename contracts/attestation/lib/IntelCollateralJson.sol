// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ITdxAttestationErrors} from "../ITdxAttestationErrors.sol";
import {CollateralLayout as L} from "./CollateralLayout.sol";
import {Json} from "./Json.sol";
import {Timestamps} from "./Timestamps.sol";

/**
 * @title IntelCollateralJson
 * @notice Parses Intel's TDX TCB info (v3) and TD_QE identity (v2), the exact JSON text Intel signed,
 * into the compact {CollateralLayout} form, reading the fields `src/attestation/intel/tcbInfo.ts`
 * and `qeIdentity.ts` read. Members may come in any order; unknown ones are skipped; a repeated
 * one counts as its last occurrence, as `JSON.parse` takes it.
 */
library IntelCollateralJson {
    uint256 private constant OPEN_OBJECT = 0x7b;
    uint256 private constant CLOSE_OBJECT = 0x7d;
    uint256 private constant OPEN_ARRAY = 0x5b;
    uint256 private constant CLOSE_ARRAY = 0x5d;

    /// @dev What the store needs of a parsed document to decide whether it replaces the stored one.
    struct Document {
        uint40 issueDate;
        uint40 nextUpdate;
        uint32 tcbEvaluationDataNumber;
        bytes6 fmspc;
    }

    // Bits of the members a document must have.
    uint256 private constant ID = 1 << 0;
    uint256 private constant VERSION = 1 << 1;
    uint256 private constant ISSUE_DATE = 1 << 2;
    uint256 private constant NEXT_UPDATE = 1 << 3;
    uint256 private constant EVALUATION_NUMBER = 1 << 4;
    uint256 private constant LEVELS = 1 << 5;
    uint256 private constant FMSPC = 1 << 6;
    uint256 private constant PCE_ID = 1 << 7;
    uint256 private constant MISCSELECT = 1 << 6;
    uint256 private constant MISCSELECT_MASK = 1 << 7;
    uint256 private constant ATTRIBUTES = 1 << 8;
    uint256 private constant ATTRIBUTES_MASK = 1 << 9;
    uint256 private constant MRSIGNER = 1 << 10;
    uint256 private constant ISVPRODID = 1 << 11;
    uint256 private constant TCB_INFO_MEMBERS = (1 << 8) - 1;
    uint256 private constant QE_IDENTITY_MEMBERS = (1 << 12) - 1;

    /// @dev A TDX TCB info, version 3.
    function parseTcbInfo(bytes memory json) internal pure returns (bytes memory compact, Document memory d) {
        unchecked {
            compact = new bytes(L.TCB_HEADER);
            bytes memory modules = new bytes(json.length);
            bytes memory levels = new bytes(json.length);
            uint256 modulesLength;
            uint256 levelsLength;
            uint256 found;
            Head memory head;
            (uint256 i, bool more) = Json.enter(json, 0, OPEN_OBJECT, CLOSE_OBJECT);
            while (more) {
                (bytes32 key, uint256 v) = Json.keyAt(json, i);
                (uint256 after_, uint256 bit) = readCommonMember(json, key, v, d, head);
                if (bit != 0) {
                    (i, found) = (after_, found | bit);
                } else if (key == "fmspc") {
                    bytes32 fmspc;
                    (fmspc, i) = Json.hexWordAt(json, v, 6);
                    d.fmspc = bytes6(fmspc);
                    found |= FMSPC;
                } else if (key == "pceId") {
                    bytes32 pceId;
                    (pceId, i) = Json.hexWordAt(json, v, 2);
                    L.write(compact, L.TCB_PCE_ID, uint16(bytes2(pceId)), 2);
                    found |= PCE_ID;
                } else if (key == "tdxModule") {
                    i = readTdxModule(json, v, compact);
                } else if (key == "tdxModuleIdentities") {
                    uint256 count;
                    (i, count, modulesLength) = readArray(json, v, modules, readModuleIdentity);
                    L.write(compact, L.TCB_MODULE_IDENTITY_COUNT, count, 1);
                } else if (key == "tcbLevels") {
                    uint256 count;
                    (i, count, levelsLength) = readArray(json, v, levels, readTcbLevel);
                    L.write(compact, L.TCB_LEVEL_COUNT, count, 1);
                    found |= LEVELS;
                } else {
                    i = Json.skipValue(json, v);
                }
                (i, more) = Json.next(json, i, CLOSE_OBJECT);
            }
            if (Json.skipSpace(json, i) != json.length) revert ITdxAttestationErrors.MalformedJson(i);
            requireDocument(head, found, TCB_INFO_MEMBERS, "TDX", 3);
            writeHead(compact, d);
            L.write(compact, L.TCB_FMSPC, uint48(d.fmspc), 6);
            compact = bytes.concat(compact, slice(modules, modulesLength), slice(levels, levelsLength));
        }
    }

    /// @dev The TD_QE identity, version 2.
    function parseQeIdentity(bytes memory json) internal pure returns (bytes memory compact, Document memory d) {
        unchecked {
            compact = new bytes(L.QE_HEADER);
            bytes memory levels = new bytes(json.length);
            uint256 levelsLength;
            uint256 found;
            Head memory head;
            (uint256 i, bool more) = Json.enter(json, 0, OPEN_OBJECT, CLOSE_OBJECT);
            while (more) {
                (bytes32 key, uint256 v) = Json.keyAt(json, i);
                (uint256 after_, uint256 bit) = readCommonMember(json, key, v, d, head);
                if (bit != 0) {
                    (i, found) = (after_, found | bit);
                } else if (key == "miscselect" || key == "miscselectMask") {
                    bytes32 value;
                    (value, i) = Json.hexWordAt(json, v, 4);
                    bool isMask = key == "miscselectMask";
                    L.write(compact, isMask ? L.QE_MISCSELECT_MASK : L.QE_MISCSELECT, uint32(bytes4(value)), 4);
                    found |= isMask ? MISCSELECT_MASK : MISCSELECT;
                } else if (key == "attributes" || key == "attributesMask") {
                    bytes32 value;
                    (value, i) = Json.hexWordAt(json, v, 16);
                    bool isMask = key == "attributesMask";
                    L.write(compact, isMask ? L.QE_ATTRIBUTES_MASK : L.QE_ATTRIBUTES, uint128(bytes16(value)), 16);
                    found |= isMask ? ATTRIBUTES_MASK : ATTRIBUTES;
                } else if (key == "mrsigner") {
                    bytes32 value;
                    (value, i) = Json.hexWordAt(json, v, 32);
                    L.write(compact, L.QE_MRSIGNER, uint256(value), 32);
                    found |= MRSIGNER;
                } else if (key == "isvprodid") {
                    uint256 value;
                    (value, i) = uint16At(json, v);
                    L.write(compact, L.QE_ISVPRODID, value, 2);
                    found |= ISVPRODID;
                } else if (key == "tcbLevels") {
                    uint256 count;
                    (i, count, levelsLength) = readArray(json, v, levels, readQeLevel);
                    L.write(compact, L.QE_LEVEL_COUNT, count, 1);
                    found |= LEVELS;
                } else {
                    i = Json.skipValue(json, v);
                }
                (i, more) = Json.next(json, i, CLOSE_OBJECT);
            }
            if (Json.skipSpace(json, i) != json.length) revert ITdxAttestationErrors.MalformedJson(i);
            requireDocument(head, found, QE_IDENTITY_MEMBERS, "TD_QE", 2);
            writeHead(compact, d);
            compact = bytes.concat(compact, slice(levels, levelsLength));
        }
    }

    /// @dev The `id` and `version` of a document, which say what it is.
    struct Head {
        bytes32 id;
        uint256 version;
    }

    /**
     * @dev A member both documents have (id, version, issueDate, nextUpdate, tcbEvaluationDataNumber):
     * where its value ends and its bit, or bit 0 when `key` is none of them.
     */
    function readCommonMember(
        bytes memory json,
        bytes32 key,
        uint256 v,
        Document memory d,
        Head memory head
    ) private pure returns (uint256 after_, uint256 bit) {
        if (key == "id") {
            (head.id, , after_) = Json.stringWordAt(json, v);
            return (after_, ID);
        }
        if (key == "version") {
            (head.version, after_) = Json.uintAt(json, v);
            return (after_, VERSION);
        }
        if (key == "issueDate") {
            (d.issueDate, after_) = timeAt(json, v, true);
            return (after_, ISSUE_DATE);
        }
        if (key == "nextUpdate") {
            (d.nextUpdate, after_) = timeAt(json, v, false);
            return (after_, NEXT_UPDATE);
        }
        if (key == "tcbEvaluationDataNumber") {
            (d.tcbEvaluationDataNumber, after_) = uint32At(json, v);
            return (after_, EVALUATION_NUMBER);
        }
        return (v, 0);
    }

    /// @dev The document must be `id` version `version` and have all of `members`.
    function requireDocument(
        Head memory head,
        uint256 found,
        uint256 members,
        bytes32 id,
        uint256 version
    ) private pure {
        if (found & (ID | VERSION) != ID | VERSION || head.id != id || head.version != version) {
            revert ITdxAttestationErrors.UnexpectedDocument(head.id, head.version);
        }
        if (found != members) revert ITdxAttestationErrors.MalformedJson(found);
    }

    function writeHead(bytes memory compact, Document memory d) private pure {
        unchecked {
            L.write(compact, L.ISSUE_DATE, d.issueDate, 5);
            L.write(compact, L.NEXT_UPDATE, d.nextUpdate, 5);
            L.write(compact, L.EVALUATION_NUMBER, d.tcbEvaluationDataNumber, 4);
        }
    }

    /**
     * @dev Reads the array at `i`, each element with `readElement` appended to `out`: where the
     * array ends, how many elements it has, and the length of `out`.
     */
    function readArray(
        bytes memory json,
        uint256 i,
        bytes memory out,
        function(bytes memory, uint256, bytes memory, uint256) pure returns (uint256, uint256) readElement
    ) private pure returns (uint256 after_, uint256 count, uint256 length) {
        unchecked {
            bool more;
            (after_, more) = Json.enter(json, i, OPEN_ARRAY, CLOSE_ARRAY);
            while (more) {
                (after_, length) = readElement(json, after_, out, length);
                if (++count > 255) revert ITdxAttestationErrors.ValueOutOfRange(i);
                (after_, more) = Json.next(json, after_, CLOSE_ARRAY);
            }
        }
    }

    /// @dev `tdxModule`: the signer and attributes of TDX modules of major version 0.
    function readTdxModule(bytes memory json, uint256 i, bytes memory compact) private pure returns (uint256) {
        unchecked {
            uint256 found;
            bool more;
            (i, more) = Json.enter(json, i, OPEN_OBJECT, CLOSE_OBJECT);
            while (more) {
                (bytes32 key, uint256 v) = Json.keyAt(json, i);
                uint256 bit;
                (i, bit) = readModuleField(
                    json,
                    key,
                    v,
                    compact,
                    L.TCB_TDX_MODULE_SIGNER,
                    L.TCB_TDX_MODULE_ATTRIBUTES,
                    L.TCB_TDX_MODULE_MASK
                );
                found |= bit;
                (i, more) = Json.next(json, i, CLOSE_OBJECT);
            }
            if (found != 7) revert ITdxAttestationErrors.MalformedJson(i);
            L.write(compact, L.TCB_HAS_TDX_MODULE, 1, 1);
            return i;
        }
    }

    /// @dev `mrsigner` (kept as its keccak256), `attributes` or `attributesMask` of a TDX module, written at the given offsets.
    function readModuleField(
        bytes memory json,
        bytes32 key,
        uint256 v,
        bytes memory out,
        uint256 signerAt,
        uint256 attributesAt,
        uint256 maskAt
    ) private pure returns (uint256 i, uint256 bit) {
        unchecked {
            if (key == "mrsigner") {
                bytes memory signer;
                (signer, i) = Json.hexAt(json, v, 48);
                L.write(out, signerAt, uint256(keccak256(signer)), 32);
                return (i, 1);
            }
            if (key == "attributes" || key == "attributesMask") {
                bytes32 value;
                (value, i) = Json.hexWordAt(json, v, 8);
                L.write(out, key == "attributes" ? attributesAt : maskAt, uint64(bytes8(value)), 8);
                return (i, key == "attributes" ? 2 : 4);
            }
            return (Json.skipValue(json, v), 0);
        }
    }

    /// @dev One of `tdxModuleIdentities`, appended to `out` at `at`.
    function readModuleIdentity(
        bytes memory json,
        uint256 i,
        bytes memory out,
        uint256 at
    ) private pure returns (uint256, uint256) {
        unchecked {
            uint256 found;
            uint256 end = at + L.MODULE_HEADER;
            bool more;
            (i, more) = Json.enter(json, i, OPEN_OBJECT, CLOSE_OBJECT);
            while (more) {
                (bytes32 key, uint256 v) = Json.keyAt(json, i);
                if (key == "id") {
                    (bytes32 id, uint256 length, uint256 after_) = Json.stringWordAt(json, v);
                    L.write(out, at + L.MODULE_VERSION, moduleVersionOf(id, length), 1);
                    (i, found) = (after_, found | 8);
                } else if (key == "tcbLevels") {
                    uint256 count;
                    (i, count, end) = readModuleLevels(json, v, out, at + L.MODULE_HEADER);
                    L.write(out, at + L.MODULE_LEVEL_COUNT, count, 1);
                    found |= 16;
                } else {
                    uint256 bit;
                    (i, bit) = readModuleField(
                        json,
                        key,
                        v,
                        out,
                        at + L.MODULE_SIGNER,
                        at + L.MODULE_ATTRIBUTES,
                        at + L.MODULE_MASK
                    );
                    found |= bit;
                }
                (i, more) = Json.next(json, i, CLOSE_OBJECT);
            }
            if (found != 31) revert ITdxAttestationErrors.MalformedJson(i);
            return (i, end);
        }
    }

    /// @dev `TDX_<two hex digits>` in any case gives that major version; any other id, 0, which is never looked up.
    function moduleVersionOf(bytes32 id, uint256 length) private pure returns (uint256) {
        unchecked {
            if (length != 6 || (id & 0xdfdfdfff00000000000000000000000000000000000000000000000000000000) != "TDX_") {
                return 0;
            }
            (bool high, uint256 highNibble) = hexDigit(uint8(id[4]));
            (bool low, uint256 lowNibble) = hexDigit(uint8(id[5]));
            return high && low ? (highNibble << 4) | lowNibble : 0;
        }
    }

    function hexDigit(uint256 c) private pure returns (bool, uint256) {
        unchecked {
            if (c >= 0x30 && c <= 0x39) return (true, c - 0x30);
            c |= 0x20;
            if (c >= 0x61 && c <= 0x66) return (true, c - 0x57);
            return (false, 0);
        }
    }

    /// @dev The `tcbLevels` of a module identity, appended at `at`.
    function readModuleLevels(
        bytes memory json,
        uint256 i,
        bytes memory out,
        uint256 at
    ) private pure returns (uint256, uint256 count, uint256) {
        unchecked {
            bool more;
            (i, more) = Json.enter(json, i, OPEN_ARRAY, CLOSE_ARRAY);
            while (more) {
                uint256 level = at;
                uint256 found;
                at = L.write(out, level + L.MODULE_LEVEL_ADVISORIES, 0, 1);
                (i, more) = Json.enter(json, i, OPEN_OBJECT, CLOSE_OBJECT);
                while (more) {
                    (bytes32 key, uint256 v) = Json.keyAt(json, i);
                    if (key == "tcb") {
                        uint256 isvSvn;
                        (i, isvSvn) = readIsvSvn(json, v);
                        L.write(out, level + L.MODULE_LEVEL_ISVSVN, isvSvn, 2);
                        found |= 1;
                    } else if (key == "tcbStatus") {
                        uint256 status;
                        (status, i) = statusAt(json, v);
                        L.write(out, level + L.MODULE_LEVEL_STATUS, status, 1);
                        found |= 2;
                    } else if (key == "advisoryIDs") {
                        (i, at) = readAdvisories(json, v, out, level + L.MODULE_LEVEL_ADVISORIES);
                    } else {
                        i = Json.skipValue(json, v);
                    }
                    (i, more) = Json.next(json, i, CLOSE_OBJECT);
                }
                if (found != 3) revert ITdxAttestationErrors.MalformedJson(i);
                if (++count > 255) revert ITdxAttestationErrors.ValueOutOfRange(i);
                (i, more) = Json.next(json, i, CLOSE_ARRAY);
            }
            return (i, count, at);
        }
    }

    /// @dev One of a TCB info's `tcbLevels`, appended to `out` at `at`.
    function readTcbLevel(
        bytes memory json,
        uint256 i,
        bytes memory out,
        uint256 at
    ) private pure returns (uint256, uint256 end) {
        unchecked {
            uint256 found;
            end = L.write(out, at + L.LEVEL_ADVISORIES, 0, 1);
            bool more;
            (i, more) = Json.enter(json, i, OPEN_OBJECT, CLOSE_OBJECT);
            while (more) {
                (bytes32 key, uint256 v) = Json.keyAt(json, i);
                if (key == "tcb") {
                    i = readLevelTcb(json, v, out, at);
                    found |= 1;
                } else if (key == "tcbDate") {
                    uint40 date;
                    (date, i) = timeAt(json, v, false);
                    L.write(out, at + L.LEVEL_TCB_DATE, date, 5);
                    found |= 2;
                } else if (key == "tcbStatus") {
                    uint256 status;
                    (status, i) = statusAt(json, v);
                    L.write(out, at + L.LEVEL_STATUS, status, 1);
                    found |= 4;
                } else if (key == "advisoryIDs") {
                    (i, end) = readAdvisories(json, v, out, at + L.LEVEL_ADVISORIES);
                } else {
                    i = Json.skipValue(json, v);
                }
                (i, more) = Json.next(json, i, CLOSE_OBJECT);
            }
            if (found != 7) revert ITdxAttestationErrors.MalformedJson(i);
            return (i, end);
        }
    }

    /// @dev The `tcb` of a TCB level: `sgxtcbcomponents`, `pcesvn` and (TDX) `tdxtcbcomponents`.
    function readLevelTcb(bytes memory json, uint256 i, bytes memory out, uint256 at) private pure returns (uint256) {
        unchecked {
            uint256 found;
            bool more;
            (i, more) = Json.enter(json, i, OPEN_OBJECT, CLOSE_OBJECT);
            while (more) {
                (bytes32 key, uint256 v) = Json.keyAt(json, i);
                if (key == "sgxtcbcomponents" || key == "tdxtcbcomponents") {
                    uint256 svns;
                    (svns, i) = componentsAt(json, v);
                    bool sgx = key == "sgxtcbcomponents";
                    L.write(out, at + (sgx ? L.LEVEL_SGX : L.LEVEL_TDX), svns, 16);
                    found |= sgx ? 1 : 4;
                } else if (key == "pcesvn") {
                    uint256 pceSvn;
                    (pceSvn, i) = uint16At(json, v);
                    L.write(out, at + L.LEVEL_PCESVN, pceSvn, 2);
                    found |= 2;
                } else {
                    i = Json.skipValue(json, v);
                }
                (i, more) = Json.next(json, i, CLOSE_OBJECT);
            }
            if (found != 7) revert ITdxAttestationErrors.MalformedJson(i);
            return i;
        }
    }

    /// @dev One of a QE identity's `tcbLevels`, appended to `out` at `at`.
    function readQeLevel(
        bytes memory json,
        uint256 i,
        bytes memory out,
        uint256 at
    ) private pure returns (uint256, uint256 end) {
        unchecked {
            uint256 found;
            end = L.write(out, at + L.QE_LEVEL_ADVISORIES, 0, 1);
            bool more;
            (i, more) = Json.enter(json, i, OPEN_OBJECT, CLOSE_OBJECT);
            while (more) {
                (bytes32 key, uint256 v) = Json.keyAt(json, i);
                if (key == "tcb") {
                    uint256 isvSvn;
                    (i, isvSvn) = readIsvSvn(json, v);
                    L.write(out, at + L.QE_LEVEL_ISVSVN, isvSvn, 2);
                    found |= 1;
                } else if (key == "tcbDate") {
                    uint40 date;
                    (date, i) = timeAt(json, v, false);
                    L.write(out, at + L.QE_LEVEL_TCB_DATE, date, 5);
                    found |= 2;
                } else if (key == "tcbStatus") {
                    uint256 status;
                    (status, i) = statusAt(json, v);
                    L.write(out, at + L.QE_LEVEL_STATUS, status, 1);
                    found |= 4;
                } else if (key == "advisoryIDs") {
                    (i, end) = readAdvisories(json, v, out, at + L.QE_LEVEL_ADVISORIES);
                } else {
                    i = Json.skipValue(json, v);
                }
                (i, more) = Json.next(json, i, CLOSE_OBJECT);
            }
            if (found != 7) revert ITdxAttestationErrors.MalformedJson(i);
            return (i, end);
        }
    }

    /// @dev `{"isvsvn": n}`.
    function readIsvSvn(bytes memory json, uint256 i) private pure returns (uint256, uint256 isvSvn) {
        unchecked {
            bool found;
            bool more;
            (i, more) = Json.enter(json, i, OPEN_OBJECT, CLOSE_OBJECT);
            while (more) {
                (bytes32 key, uint256 v) = Json.keyAt(json, i);
                if (key == "isvsvn") {
                    (isvSvn, i) = uint16At(json, v);
                    found = true;
                } else {
                    i = Json.skipValue(json, v);
                }
                (i, more) = Json.next(json, i, CLOSE_OBJECT);
            }
            if (!found) revert ITdxAttestationErrors.MalformedJson(i);
            return (i, isvSvn);
        }
    }

    /// @dev Exactly 16 `{"svn": n, ...}` objects, as 16 bytes (component 1 first).
    function componentsAt(bytes memory json, uint256 i) private pure returns (uint256 svns, uint256) {
        unchecked {
            uint256 count;
            bool more;
            (i, more) = Json.enter(json, i, OPEN_ARRAY, CLOSE_ARRAY);
            while (more) {
                bool found;
                uint256 svn;
                (i, more) = Json.enter(json, i, OPEN_OBJECT, CLOSE_OBJECT);
                while (more) {
                    (bytes32 key, uint256 v) = Json.keyAt(json, i);
                    if (key == "svn") {
                        (svn, i) = Json.uintAt(json, v);
                        if (svn > 255) revert ITdxAttestationErrors.ValueOutOfRange(v);
                        found = true;
                    } else {
                        i = Json.skipValue(json, v);
                    }
                    (i, more) = Json.next(json, i, CLOSE_OBJECT);
                }
                if (!found || count == 16) revert ITdxAttestationErrors.MalformedJson(i);
                svns = (svns << 8) | svn;
                ++count;
                (i, more) = Json.next(json, i, CLOSE_ARRAY);
            }
            if (count != 16) revert ITdxAttestationErrors.MalformedJson(i);
            return (svns, i);
        }
    }

    /// @dev `advisoryIDs`: a count byte at `out[at]`, then each ID's number; returns where the list ends in `json` and `out`.
    function readAdvisories(
        bytes memory json,
        uint256 i,
        bytes memory out,
        uint256 at
    ) private pure returns (uint256, uint256 end) {
        unchecked {
            uint256 count;
            end = at + 1;
            bool more;
            (i, more) = Json.enter(json, i, OPEN_ARRAY, CLOSE_ARRAY);
            while (more) {
                (bytes32 word, uint256 length, uint256 after_) = Json.stringWordAt(json, i);
                // INTEL-SA-<5 digits>: the only form Intel's TCB infos use.
                if (length != 14 || (word & ~bytes32(type(uint256).max >> 72)) != "INTEL-SA-") {
                    revert ITdxAttestationErrors.UnsupportedAdvisoryId(i);
                }
                uint256 number;
                for (uint256 k = 9; k < 14; ++k) {
                    uint256 c = uint8(word[k]);
                    if (c < 0x30 || c > 0x39) revert ITdxAttestationErrors.UnsupportedAdvisoryId(i);
                    number = number * 10 + c - 0x30;
                }
                if (number > type(uint16).max) revert ITdxAttestationErrors.UnsupportedAdvisoryId(i);
                end = L.write(out, end, number, 2);
                if (++count > 255) revert ITdxAttestationErrors.ValueOutOfRange(i);
                (i, more) = Json.next(json, after_, CLOSE_ARRAY);
            }
            L.write(out, at, count, 1);
            return (i, end);
        }
    }

    /// @dev A TCB status name as a {TcbStatus} value; names Intel's library refuses in TCB info become {CollateralLayout-UNRECOGNISED}.
    function statusAt(bytes memory json, uint256 i) private pure returns (uint256 status, uint256 after_) {
        unchecked {
            uint256 start;
            uint256 end;
            (start, end, after_) = Json.stringAt(json, i);
            bytes32 name;
            assembly ("memory-safe") {
                name := keccak256(add(add(json, 0x20), start), sub(end, start))
            }
            if (name == keccak256("UpToDate")) return (0, after_);
            if (name == keccak256("SWHardeningNeeded")) return (1, after_);
            if (name == keccak256("ConfigurationNeeded")) return (2, after_);
            if (name == keccak256("ConfigurationAndSWHardeningNeeded")) return (3, after_);
            if (name == keccak256("OutOfDate")) return (4, after_);
            if (name == keccak256("OutOfDateConfigurationNeeded")) return (5, after_);
            if (name == keccak256("Revoked")) return (6, after_);
            return (L.UNRECOGNISED, after_);
        }
    }

    function timeAt(bytes memory json, uint256 i, bool roundUp) private pure returns (uint40 time, uint256 after_) {
        unchecked {
            uint256 start;
            uint256 end;
            (start, end, after_) = Json.stringAt(json, i);
            time = Timestamps.fromIso8601(json, start, end, roundUp);
        }
    }

    function uint16At(bytes memory json, uint256 i) private pure returns (uint256 value, uint256 after_) {
        unchecked {
            (value, after_) = Json.uintAt(json, i);
            if (value > type(uint16).max) revert ITdxAttestationErrors.ValueOutOfRange(i);
        }
    }

    function uint32At(bytes memory json, uint256 i) private pure returns (uint32, uint256 after_) {
        unchecked {
            uint256 value;
            (value, after_) = Json.uintAt(json, i);
            if (value > type(uint32).max) revert ITdxAttestationErrors.ValueOutOfRange(i);
            return (uint32(value), after_);
        }
    }

    /// @dev The first `length` bytes of `data`, in place.
    function slice(bytes memory data, uint256 length) private pure returns (bytes memory) {
        unchecked {
            assembly ("memory-safe") {
                mstore(data, length)
            }
            return data;
        }
    }
}
