// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title MarketContext
 * @notice The market's code runs in two contracts on one storage: {BoccMarket} and the
 * {OrderExits} it delegates to. Functions that change state call `_requireMarketStorage`, which
 * {OrderExits} makes refuse when it is called directly, so its own (empty) storage never holds funds.
 */
abstract contract MarketContext {
    /// @notice Called on the market's delegate rather than on the market.
    error NotThroughMarket();

    modifier onlyMarketStorage() {
        _requireMarketStorage();
        _;
    }

    function _requireMarketStorage() internal view virtual {}
}
