// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IEnclaveRegistry} from "./IEnclaveRegistry.sol";

/**
 * @title ITeeOffers
 * @notice A provider's machines for sale: one hardware kind, a price per order and a capacity of
 * orders at once. A TEE offer sells the machine, not one job: any solution whose runner its
 * runtime supports may run there. An update is a new version: orders keep their price.
 */
interface ITeeOffers {
    struct TeeOffer {
        address provider;
        IEnclaveRegistry.Hardware hardware;
        bool active;
        uint32 capacity;
        uint32 activeOrders;
        uint32 version;
        uint96 price;
    }

    event TeeOfferCreated(
        uint32 indexed offerId,
        address indexed provider,
        IEnclaveRegistry.Hardware hardware,
        uint96 price,
        uint32 capacity
    );
    event TeeOfferUpdated(uint32 indexed offerId, uint32 version, uint96 price, uint32 capacity);
    event TeeOfferActiveSet(uint32 indexed offerId, bool active);

    error TeeOfferNotFound(uint32 offerId);
    error NotTeeOfferProvider(uint32 offerId, address caller);
    error ZeroCapacity();

    /// @notice Offers the caller's TEE machines of `hardware` kind at `price` per order, `capacity` orders at once.
    function createTeeOffer(
        IEnclaveRegistry.Hardware hardware,
        uint96 price,
        uint32 capacity
    ) external returns (uint32 offerId);

    /// @notice Sets a new price and capacity (a new version) of the caller's TEE offer.
    function updateTeeOffer(uint32 offerId, uint96 price, uint32 capacity) external;

    /// @notice Enables or disables the caller's TEE offer for new orders.
    function setTeeOfferActive(uint32 offerId, bool active) external;

    /// @notice The TEE offer `offerId` (provider zero if there is none).
    function getTeeOffer(uint32 offerId) external view returns (TeeOffer memory);

    /// @notice Number of TEE offers; their ids run from 1.
    function teeOfferCount() external view returns (uint32);
}
