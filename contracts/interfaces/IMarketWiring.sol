// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title IMarketWiring
 * @notice A contract that pushes what the market keeps a copy of (the registry, the catalog)
 * learns the market's address once, from the account that deployed it, when the deployment
 * wires the contracts together. Until then it pushes nothing, and the market refuses what it
 * has no copy of.
 */
interface IMarketWiring {
    /// @notice From now on every change the market keeps a copy of is pushed to `market`.
    event MarketAttached(address indexed market);

    /// @notice Only the account that deployed this contract may attach the market, once.
    error NotDeployer(address caller);
    /// @notice The market is attached already.
    error MarketAlreadyAttached(address market);
    /// @notice The market does not name this contract as its source.
    error MarketNotWiredToThis(address market);

    /// @notice Attaches `market`, which must name this contract. The deployer only, once.
    function attachMarket(address market) external;

    /// @notice The market changes are pushed to (zero until attached).
    function market() external view returns (address);
}

/// @notice The sources a market names, as {IMarketWiring-attachMarket} checks them.
interface IMarketSources {
    function registry() external view returns (address);

    function catalog() external view returns (address);
}
