// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IEnclaveRegistry} from "../interfaces/IEnclaveRegistry.sol";
import {ITeeOffers} from "../interfaces/ITeeOffers.sol";
import {MarketContext} from "./MarketContext.sol";

/**
 * @title TeeOffers
 * @notice TEE offers, each owned by its provider. Price, capacity and activity change only here;
 * the count of active orders changes only in the order lifecycle's one transition function.
 */
abstract contract TeeOffers is ITeeOffers, MarketContext {
    /// @inheritdoc ITeeOffers
    uint32 public teeOfferCount;

    mapping(uint32 offerId => TeeOffer) internal _teeOffers;

    /// @inheritdoc ITeeOffers
    function createTeeOffer(
        IEnclaveRegistry.Hardware hardware,
        uint96 price,
        uint32 capacity
    ) external onlyMarketStorage returns (uint32 offerId) {
        if (capacity == 0) revert ZeroCapacity();
        offerId = ++teeOfferCount;
        _teeOffers[offerId] = TeeOffer({
            provider: msg.sender,
            hardware: hardware,
            active: true,
            capacity: capacity,
            activeOrders: 0,
            version: 1,
            price: price
        });
        emit TeeOfferCreated(offerId, msg.sender, hardware, price, capacity);
    }

    /// @inheritdoc ITeeOffers
    function updateTeeOffer(uint32 offerId, uint96 price, uint32 capacity) external onlyMarketStorage {
        TeeOffer storage offer = _ownTeeOffer(offerId);
        if (capacity == 0) revert ZeroCapacity();
        offer.price = price;
        offer.capacity = capacity;
        emit TeeOfferUpdated(offerId, ++offer.version, price, capacity);
    }

    /// @inheritdoc ITeeOffers
    function setTeeOfferActive(uint32 offerId, bool active) external onlyMarketStorage {
        _ownTeeOffer(offerId).active = active;
        emit TeeOfferActiveSet(offerId, active);
    }

    /// @inheritdoc ITeeOffers
    function getTeeOffer(uint32 offerId) external view returns (TeeOffer memory) {
        return _teeOffers[offerId];
    }

    function _ownTeeOffer(uint32 offerId) private view returns (TeeOffer storage offer) {
        offer = _teeOffers[offerId];
        if (offer.provider == address(0)) revert TeeOfferNotFound(offerId);
        if (offer.provider != msg.sender) revert NotTeeOfferProvider(offerId, msg.sender);
    }
}
