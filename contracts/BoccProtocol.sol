// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Accounts} from "./modules/Accounts.sol";
import {Governance} from "./modules/Governance.sol";
import {Orders} from "./modules/Orders.sol";
import {ProviderStaking} from "./modules/ProviderStaking.sol";

/**
 * @title BoccProtocol
 * @notice The BOCC protocol on one chain: accounts, provider stakes, offers, the measurement
 * transparency log and verifier committee, the enclave registry and orders with escrow. Each part
 * is a module in contracts/modules; this contract only composes and configures them.
 * No account, governor included, can move escrow, balances or stakes outside the rules of the
 * modules: there is no owner, no pause and no upgrade.
 */
contract BoccProtocol is Orders {
    struct Config {
        IERC20 paymentToken;
        address governor;
        uint40 governanceDelay;
        bytes32[] genesisMeasurements;
        address[] genesisCommittee;
        uint8 committeeThreshold;
        uint256 minStake;
        uint40 unstakeDelay;
        address feeReceiver;
        uint16 feeBps;
        uint16 slashBps;
        uint40 maxOrderDuration;
    }

    error InvalidConfiguration();

    constructor(Config memory config)
        EIP712("BOCC", "1")
        Governance(
            config.governor,
            config.governanceDelay,
            config.genesisMeasurements,
            config.genesisCommittee,
            config.committeeThreshold
        )
        Accounts(config.paymentToken)
        ProviderStaking(config.minStake, config.unstakeDelay)
        Orders(config.feeReceiver, config.feeBps, config.slashBps, config.maxOrderDuration)
    {
        if (
            address(config.paymentToken) == address(0) || config.governor == address(0)
                || config.feeReceiver == address(0) || config.feeBps > 10_000 || config.slashBps > 10_000
                || config.maxOrderDuration > config.unstakeDelay
        ) revert InvalidConfiguration();
    }
}
