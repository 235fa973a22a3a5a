// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IntelCollateralJson} from "./lib/IntelCollateralJson.sol";

/**
 * @title IntelCollateralParser
 * @notice Stateless: parses Intel's signed JSON collateral into the compact form the
 * {TdxCollateralStore} keeps ({CollateralLayout}). A contract of its own only to keep the store
 * within the contract size limit; the store calls it after verifying a document's signature.
 */
contract IntelCollateralParser {
    /// @notice A TDX TCB info (v3), the exact `tcbInfo` JSON value: its compact form and header fields.
    function parseTcbInfo(
        bytes calldata tcbInfo
    ) external pure returns (bytes memory compact, IntelCollateralJson.Document memory document) {
        return IntelCollateralJson.parseTcbInfo(tcbInfo);
    }

    /// @notice The TD_QE identity (v2), the exact `enclaveIdentity` JSON value: its compact form and header fields.
    function parseQeIdentity(
        bytes calldata qeIdentity
    ) external pure returns (bytes memory compact, IntelCollateralJson.Document memory document) {
        return IntelCollateralJson.parseQeIdentity(qeIdentity);
    }
}
