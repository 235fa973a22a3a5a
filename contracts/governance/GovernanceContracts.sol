// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

// BOCC's governor is OpenZeppelin's TimelockController, whose proposer is a Safe multisig (the
// Safe's audited build comes from @safe-global/safe-contracts). Importing it here has the
// project's compiler build it with the other contracts.
// solhint-disable-next-line no-unused-import
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
