// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IEnclaveRegistry} from "../interfaces/IEnclaveRegistry.sol";
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
        uint8 hardwareMask,
        address vendor,
        uint96 price
    ) external {
        _requireMarketStorage();
        if (msg.sender != address(catalog)) revert NotCatalog(msg.sender);
        SolutionQuote memory quote = SolutionQuote({vendor: vendor, price: price});
        // One entry per kind the mask allows, so that an order reads the one for its enclave's;
        // bits past the last kind name no hardware an enclave can have.
        for (uint8 kind; kind <= uint8(type(IEnclaveRegistry.Hardware).max); ++kind) {
            if ((hardwareMask >> kind) & 1 == 1) {
                _solutionQuotes[_solutionQuoteKey(offerId, solutionHash, kind)] = quote;
            }
        }
        emit SolutionOfferRecorded(offerId, solutionHash, hardwareMask, vendor, price);
    }

    /// @inheritdoc IOfferFeed
    function solutionQuoteOf(
        uint32 offerId,
        bytes32 solutionHash,
        IEnclaveRegistry.Hardware hardware
    ) external view returns (SolutionQuote memory) {
        return _solutionQuotes[_solutionQuoteKey(offerId, solutionHash, uint8(hardware))];
    }
}
