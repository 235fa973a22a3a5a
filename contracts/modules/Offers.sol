// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IOffers} from "../interfaces/IOffers.sol";

/**
 * @title Offers
 * @notice TEE, solution and data offers, each owned by the account that created it.
 */
abstract contract Offers is IOffers {
    /// @notice Highest hardware kind known (nvidia-cc).
    uint8 public constant MAX_HARDWARE = 4;

    /// @notice Number of TEE offers; their ids run from 1.
    uint32 public teeOfferCount;
    /// @notice Number of solution offers; their ids run from 1.
    uint32 public solutionOfferCount;
    /// @notice Number of data offers; their ids run from 1.
    uint32 public dataOfferCount;

    mapping(uint32 offerId => TeeOffer) internal _teeOffers;
    mapping(uint32 offerId => SolutionOffer) internal _solutionOffers;
    mapping(uint32 offerId => DataOffer) internal _dataOffers;
    mapping(uint32 solutionOfferId => mapping(uint32 teeOfferId => bool)) public solutionAllowsTeeOffer;
    mapping(uint32 dataOfferId => mapping(uint32 solutionOfferId => bool)) public dataAllowsSolutionOffer;
    mapping(uint32 dataOfferId => mapping(uint32 teeOfferId => bool)) public dataAllowsTeeOffer;

    /// @inheritdoc IOffers
    function createTeeOffer(uint8 hardware, uint96 price, uint32 capacity) external returns (uint32 offerId) {
        if (hardware > MAX_HARDWARE) revert InvalidHardware(hardware);
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

    /// @inheritdoc IOffers
    function updateTeeOffer(uint32 offerId, uint96 price, uint32 capacity) external {
        TeeOffer storage offer = _ownTeeOffer(offerId);
        if (capacity == 0) revert ZeroCapacity();
        offer.price = price;
        offer.capacity = capacity;
        emit TeeOfferUpdated(offerId, ++offer.version, price, capacity);
    }

    /// @inheritdoc IOffers
    function setTeeOfferActive(uint32 offerId, bool active) external {
        _ownTeeOffer(offerId).active = active;
        emit TeeOfferActiveSet(offerId, active);
    }

    /// @inheritdoc IOffers
    function createSolutionOffer(
        bytes32 solutionHash,
        uint96 price,
        uint8 hardwareMask,
        bytes32 requiredMeasurement,
        uint32[] calldata allowedTeeOffers
    ) external returns (uint32 offerId) {
        offerId = ++solutionOfferCount;
        _solutionOffers[offerId] = SolutionOffer({
            owner: msg.sender,
            active: true,
            hardwareMask: hardwareMask,
            restrictTeeOffers: allowedTeeOffers.length != 0,
            version: 1,
            price: price,
            solutionHash: solutionHash,
            requiredMeasurement: requiredMeasurement
        });
        for (uint256 i; i < allowedTeeOffers.length; ++i) {
            solutionAllowsTeeOffer[offerId][allowedTeeOffers[i]] = true;
        }
        emit SolutionOfferCreated(offerId, msg.sender, solutionHash, price, hardwareMask, requiredMeasurement, allowedTeeOffers);
    }

    /// @inheritdoc IOffers
    function updateSolutionOffer(uint32 offerId, uint96 price) external {
        SolutionOffer storage offer = _ownSolutionOffer(offerId);
        offer.price = price;
        emit SolutionOfferUpdated(offerId, ++offer.version, price);
    }

    /// @inheritdoc IOffers
    function setSolutionOfferActive(uint32 offerId, bool active) external {
        _ownSolutionOffer(offerId).active = active;
        emit SolutionOfferActiveSet(offerId, active);
    }

    /// @inheritdoc IOffers
    function createDataOffer(
        bytes32 dataHash,
        uint96 price,
        uint32[] calldata allowedSolutionOffers,
        uint32[] calldata allowedTeeOffers
    ) external returns (uint32 offerId) {
        offerId = ++dataOfferCount;
        _dataOffers[offerId] = DataOffer({
            owner: msg.sender,
            active: true,
            restrictSolutions: allowedSolutionOffers.length != 0,
            restrictTeeOffers: allowedTeeOffers.length != 0,
            version: 1,
            price: price,
            dataHash: dataHash
        });
        for (uint256 i; i < allowedSolutionOffers.length; ++i) {
            dataAllowsSolutionOffer[offerId][allowedSolutionOffers[i]] = true;
        }
        for (uint256 i; i < allowedTeeOffers.length; ++i) {
            dataAllowsTeeOffer[offerId][allowedTeeOffers[i]] = true;
        }
        emit DataOfferCreated(offerId, msg.sender, dataHash, price, allowedSolutionOffers, allowedTeeOffers);
    }

    /// @inheritdoc IOffers
    function updateDataOffer(uint32 offerId, uint96 price) external {
        DataOffer storage offer = _ownDataOffer(offerId);
        offer.price = price;
        emit DataOfferUpdated(offerId, ++offer.version, price);
    }

    /// @inheritdoc IOffers
    function setDataOfferActive(uint32 offerId, bool active) external {
        _ownDataOffer(offerId).active = active;
        emit DataOfferActiveSet(offerId, active);
    }

    /// @inheritdoc IOffers
    function getTeeOffer(uint32 offerId) external view returns (TeeOffer memory) {
        return _teeOffers[offerId];
    }

    /// @inheritdoc IOffers
    function getSolutionOffer(uint32 offerId) external view returns (SolutionOffer memory) {
        return _solutionOffers[offerId];
    }

    /// @inheritdoc IOffers
    function getDataOffer(uint32 offerId) external view returns (DataOffer memory) {
        return _dataOffers[offerId];
    }

    function _ownTeeOffer(uint32 offerId) private view returns (TeeOffer storage offer) {
        offer = _teeOffers[offerId];
        if (offer.provider == address(0)) revert OfferNotFound(offerId);
        if (offer.provider != msg.sender) revert NotOfferOwner(offerId, msg.sender);
    }

    function _ownSolutionOffer(uint32 offerId) private view returns (SolutionOffer storage offer) {
        offer = _solutionOffers[offerId];
        if (offer.owner == address(0)) revert OfferNotFound(offerId);
        if (offer.owner != msg.sender) revert NotOfferOwner(offerId, msg.sender);
    }

    function _ownDataOffer(uint32 offerId) private view returns (DataOffer storage offer) {
        offer = _dataOffers[offerId];
        if (offer.owner == address(0)) revert OfferNotFound(offerId);
        if (offer.owner != msg.sender) revert NotOfferOwner(offerId, msg.sender);
    }
}
