// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IOfferFeed} from "../interfaces/IOfferFeed.sol";
import {OrderLifecycle} from "./OrderLifecycle.sol";

/**
 * @title OfferFeed
 * @notice {IOfferFeed}: the catalog's pushes into the market's copy of its plain solution
 * offers, served by {OrderExits} on the market's storage. Only the catalog the market was
 * deployed with may push, and only through the market.
 */
abstract contract OfferFeed is OrderLifecycle, IOfferFeed {
    /// @inheritdoc IOfferFeed
    function recordSolutionOffer(
        uint32 offerId,
        bytes32 solutionHash,
        SolutionAccess calldata access,
        uint96 price
    ) external {
        _requireMarketStorage();
        if (msg.sender != address(catalog)) revert NotCatalog(msg.sender);
        _solutionAccess[offerId][solutionHash] = access;
        _solutionPrices[offerId] = price;
        emit SolutionOfferRecorded(offerId, solutionHash, access, price);
    }

    /// @inheritdoc IOfferFeed
    function solutionAccessOf(
        uint32 offerId,
        bytes32 solutionHash
    ) external view returns (SolutionAccess memory, uint96) {
        return (_solutionAccess[offerId][solutionHash], _solutionPrices[offerId]);
    }
}
