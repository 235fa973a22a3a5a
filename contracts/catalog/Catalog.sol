// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {MarketWiring} from "../feeds/MarketWiring.sol";
import {ICatalog} from "../interfaces/ICatalog.sol";
import {IEnclaveRegistry} from "../interfaces/IEnclaveRegistry.sol";
import {IMarketSources} from "../interfaces/IMarketWiring.sol";
import {IOfferFeed} from "../interfaces/IOfferFeed.sol";

/**
 * @title Catalog
 * @notice Solution and data offers, each owned by the account that created it. Offer storage
 * changes only through the functions below, each checking the caller owns the offer, and each
 * change of a plain solution offer is pushed to the market ({IOfferFeed}) by `_pushSolutionOffer`.
 */
contract Catalog is ICatalog, MarketWiring {
    /**
     * @dev A solution offer as stored: {ICatalog-SolutionOffer} with a flag in its first slot
     * saying whether it requires a measurement, so {quote} reads that slot only when it does.
     */
    struct StoredSolutionOffer {
        address owner;
        bool active;
        uint8 hardwareMask;
        bool restrictTeeOffers;
        bool requiresMeasurement;
        uint32 version;
        uint96 price;
        bytes32 solutionHash;
        bytes32 requiredMeasurement;
        bytes32 bundleHash;
    }

    /// @inheritdoc ICatalog
    uint32 public solutionOfferCount;
    /// @inheritdoc ICatalog
    uint32 public dataOfferCount;

    mapping(uint32 offerId => StoredSolutionOffer) private _solutionOffers;
    mapping(uint32 offerId => DataOffer) private _dataOffers;
    /// @inheritdoc ICatalog
    mapping(uint32 solutionOfferId => mapping(uint32 teeOfferId => bool)) public solutionAllowsTeeOffer;
    /// @inheritdoc ICatalog
    mapping(uint32 dataOfferId => mapping(uint32 solutionOfferId => bool)) public dataAllowsSolutionOffer;
    /// @inheritdoc ICatalog
    mapping(uint32 dataOfferId => mapping(uint32 teeOfferId => bool)) public dataAllowsTeeOffer;

    /// @inheritdoc ICatalog
    function createSolutionOffer(
        bytes32 solutionHash,
        uint96 price,
        uint8 hardwareMask,
        bytes32 requiredMeasurement,
        bytes32 bundleHash,
        uint32[] calldata allowedTeeOffers
    ) external returns (uint32 offerId) {
        if (solutionHash == bytes32(0)) revert ZeroHash();
        offerId = ++solutionOfferCount;
        SolutionOffer memory offer = SolutionOffer({
            owner: msg.sender,
            active: true,
            hardwareMask: hardwareMask,
            restrictTeeOffers: allowedTeeOffers.length != 0,
            version: 1,
            price: price,
            solutionHash: solutionHash,
            requiredMeasurement: requiredMeasurement,
            bundleHash: bundleHash
        });
        _solutionOffers[offerId] = StoredSolutionOffer({
            owner: msg.sender,
            active: true,
            hardwareMask: hardwareMask,
            restrictTeeOffers: offer.restrictTeeOffers,
            requiresMeasurement: requiredMeasurement != bytes32(0),
            version: 1,
            price: price,
            solutionHash: solutionHash,
            requiredMeasurement: requiredMeasurement,
            bundleHash: bundleHash
        });
        for (uint256 i; i < allowedTeeOffers.length; ++i) {
            solutionAllowsTeeOffer[offerId][allowedTeeOffers[i]] = true;
        }
        emit SolutionOfferCreated(offerId, msg.sender, offer, allowedTeeOffers);
        _pushSolutionOffer(offerId, _solutionOffers[offerId]);
    }

    /// @inheritdoc ICatalog
    function updateSolutionOffer(uint32 offerId, uint96 price) external {
        StoredSolutionOffer storage offer = _ownSolutionOffer(offerId);
        offer.price = price;
        emit SolutionOfferUpdated(offerId, ++offer.version, price);
        _pushSolutionOffer(offerId, offer);
    }

    /// @inheritdoc ICatalog
    function setSolutionOfferActive(uint32 offerId, bool active) external {
        StoredSolutionOffer storage offer = _ownSolutionOffer(offerId);
        offer.active = active;
        emit SolutionOfferActiveSet(offerId, active);
        _pushSolutionOffer(offerId, offer);
    }

    /// @inheritdoc ICatalog
    function createDataOffer(
        bytes32 dataHash,
        uint96 price,
        uint32[] calldata allowedSolutionOffers,
        uint32[] calldata allowedTeeOffers
    ) external returns (uint32 offerId) {
        if (dataHash == bytes32(0)) revert ZeroHash();
        offerId = ++dataOfferCount;
        DataOffer memory offer = DataOffer({
            owner: msg.sender,
            active: true,
            restrictSolutions: allowedSolutionOffers.length != 0,
            restrictTeeOffers: allowedTeeOffers.length != 0,
            version: 1,
            price: price,
            dataHash: dataHash
        });
        _dataOffers[offerId] = offer;
        for (uint256 i; i < allowedSolutionOffers.length; ++i) {
            dataAllowsSolutionOffer[offerId][allowedSolutionOffers[i]] = true;
        }
        for (uint256 i; i < allowedTeeOffers.length; ++i) {
            dataAllowsTeeOffer[offerId][allowedTeeOffers[i]] = true;
        }
        emit DataOfferCreated(offerId, msg.sender, offer, allowedSolutionOffers, allowedTeeOffers);
    }

    /// @inheritdoc ICatalog
    function updateDataOffer(uint32 offerId, uint96 price) external {
        DataOffer storage offer = _ownDataOffer(offerId);
        offer.price = price;
        emit DataOfferUpdated(offerId, ++offer.version, price);
    }

    /// @inheritdoc ICatalog
    function setDataOfferActive(uint32 offerId, bool active) external {
        _ownDataOffer(offerId).active = active;
        emit DataOfferActiveSet(offerId, active);
    }

    /// @inheritdoc ICatalog
    function quote(
        uint32 solutionOfferId,
        uint32 dataOfferId,
        uint32 teeOfferId,
        IEnclaveRegistry.Hardware hardware,
        bytes32 measurement,
        bytes32 solutionHash
    ) external view returns (Quote memory result) {
        if (solutionOfferId != 0) {
            StoredSolutionOffer storage solution = _solutionOffers[solutionOfferId];
            if (solution.owner == address(0)) revert OfferNotFound(solutionOfferId);
            if (!solution.active) revert SolutionOfferNotActive(solutionOfferId);
            if (solution.solutionHash != solutionHash) revert SolutionMismatch(solution.solutionHash, solutionHash);
            if (solution.hardwareMask & (uint8(1) << uint8(hardware)) == 0) {
                revert HardwareNotAllowedBySolution(solutionOfferId, hardware);
            }
            if (solution.requiresMeasurement && solution.requiredMeasurement != measurement) {
                revert MeasurementNotAllowedBySolution(solutionOfferId, measurement);
            }
            if (solution.restrictTeeOffers && !solutionAllowsTeeOffer[solutionOfferId][teeOfferId]) {
                revert TeeOfferNotAllowed(teeOfferId);
            }
            result.solutionVendor = solution.owner;
            result.solutionPrice = solution.price;
        }
        if (dataOfferId != 0) {
            DataOffer storage data = _dataOffers[dataOfferId];
            if (data.owner == address(0)) revert OfferNotFound(dataOfferId);
            if (!data.active) revert DataOfferNotActive(dataOfferId);
            if (data.restrictSolutions && !dataAllowsSolutionOffer[dataOfferId][solutionOfferId]) {
                revert SolutionOfferNotAllowed(solutionOfferId);
            }
            if (data.restrictTeeOffers && !dataAllowsTeeOffer[dataOfferId][teeOfferId]) {
                revert TeeOfferNotAllowed(teeOfferId);
            }
            result.dataVendor = data.owner;
            result.dataPrice = data.price;
            result.dataHash = data.dataHash;
        }
    }

    /// @inheritdoc ICatalog
    function getSolutionOffer(uint32 offerId) external view returns (SolutionOffer memory) {
        StoredSolutionOffer storage offer = _solutionOffers[offerId];
        return
            SolutionOffer({
                owner: offer.owner,
                active: offer.active,
                hardwareMask: offer.hardwareMask,
                restrictTeeOffers: offer.restrictTeeOffers,
                version: offer.version,
                price: offer.price,
                solutionHash: offer.solutionHash,
                requiredMeasurement: offer.requiredMeasurement,
                bundleHash: offer.bundleHash
            });
    }

    /// @inheritdoc ICatalog
    function getDataOffer(uint32 offerId) external view returns (DataOffer memory) {
        return _dataOffers[offerId];
    }

    /**
     * @dev The market keeps a copy of plain offers only (no TEE-offer allow-list, no required
     * measurement): it sends the others' orders to {quote}.
     */
    function _pushSolutionOffer(uint32 offerId, StoredSolutionOffer storage offer) private {
        if (market == address(0) || offer.restrictTeeOffers || offer.requiresMeasurement) return;
        IOfferFeed(market).recordSolutionOffer(
            offerId,
            offer.solutionHash,
            offer.hardwareMask,
            offer.active ? offer.owner : address(0),
            offer.price
        );
    }

    /// @dev The market must quote from this catalog.
    function _isWiredToThis(address market_) internal view override returns (bool) {
        return IMarketSources(market_).catalog() == address(this);
    }

    function _ownSolutionOffer(uint32 offerId) private view returns (StoredSolutionOffer storage offer) {
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
