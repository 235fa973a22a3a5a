// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IMarketWiring} from "../interfaces/IMarketWiring.sol";

/**
 * @title MarketWiring
 * @notice {IMarketWiring}: the market's address, set once by the deployer. A contract whose
 * changes the market copies calls the market only through `market`, which only this sets.
 */
abstract contract MarketWiring is IMarketWiring {
    address private immutable _deployer = msg.sender;

    /// @inheritdoc IMarketWiring
    address public market;

    /// @inheritdoc IMarketWiring
    function attachMarket(address market_) external {
        if (msg.sender != _deployer) revert NotDeployer(msg.sender);
        if (market != address(0)) revert MarketAlreadyAttached(market);
        if (market_.code.length == 0 || !_isWiredToThis(market_)) revert MarketNotWiredToThis(market_);
        market = market_;
        emit MarketAttached(market_);
    }

    /// @dev Whether `market_` names this contract as the source it copies from.
    function _isWiredToThis(address market_) internal view virtual returns (bool);
}
