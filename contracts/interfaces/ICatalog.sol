// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IEnclaveRegistry} from "./IEnclaveRegistry.sol";
import {IMarketWiring} from "./IMarketWiring.sol";

/**
 * @title ICatalog
 * @notice What vendors sell for use inside enclaves: solution offers (a model or program, by its
 * solution hash, with its price and where it may run) and data offers (a dataset, by the hash of
 * its encrypted blob, with its price and who may use it). Each offer answers only to its owner's
 * key. An update is a new version: orders keep the price they were created with. Every change of
 * a plain solution offer is pushed to the attached market ({IMarketWiring}, {IOfferFeed}).
 */
interface ICatalog is IMarketWiring {
    struct SolutionOffer {
        address owner;
        bool active;
        /// Bit `k` set: hardware kind `k` (as {IEnclaveRegistry-Hardware}) may run it.
        uint8 hardwareMask;
        /// Only the TEE offers listed by {solutionAllowsTeeOffer} may run it.
        bool restrictTeeOffers;
        uint32 version;
        uint96 price;
        /// SHA-256 of the bundle's canonical manifest: what ran, as receipts and orders name it.
        bytes32 solutionHash;
        /// The runtime measurement it needs; zero: any allowed measurement.
        bytes32 requiredMeasurement;
        /// Blob-store address of the bundle (its encrypted or plain pack), where providers fetch it.
        bytes32 bundleHash;
    }

    struct DataOffer {
        address owner;
        bool active;
        bool restrictSolutions;
        bool restrictTeeOffers;
        uint32 version;
        uint96 price;
        /// SHA-256 of the encrypted dataset blob (its blob-store address).
        bytes32 dataHash;
    }

    /// @notice What an order pays the vendors, as {quote} finds it.
    struct Quote {
        address solutionVendor;
        uint96 solutionPrice;
        address dataVendor;
        uint96 dataPrice;
        bytes32 dataHash;
    }

    event SolutionOfferCreated(
        uint32 indexed offerId,
        address indexed owner,
        SolutionOffer offer,
        uint32[] allowedTeeOffers
    );
    event SolutionOfferUpdated(uint32 indexed offerId, uint32 version, uint96 price);
    event SolutionOfferActiveSet(uint32 indexed offerId, bool active);
    event DataOfferCreated(
        uint32 indexed offerId,
        address indexed owner,
        DataOffer offer,
        uint32[] allowedSolutionOffers,
        uint32[] allowedTeeOffers
    );
    event DataOfferUpdated(uint32 indexed offerId, uint32 version, uint96 price);
    event DataOfferActiveSet(uint32 indexed offerId, bool active);

    error OfferNotFound(uint32 offerId);
    error NotOfferOwner(uint32 offerId, address caller);
    error SolutionOfferNotActive(uint32 offerId);
    error DataOfferNotActive(uint32 offerId);
    /// @notice The order names another solution than the offer sells.
    error SolutionMismatch(bytes32 offered, bytes32 requested);
    /// @notice The solution offer does not allow this hardware kind.
    error HardwareNotAllowedBySolution(uint32 solutionOfferId, IEnclaveRegistry.Hardware hardware);
    /// @notice The solution offer needs another runtime measurement than the enclave runs.
    error MeasurementNotAllowedBySolution(uint32 solutionOfferId, bytes32 measurement);
    error TeeOfferNotAllowed(uint32 teeOfferId);
    error SolutionOfferNotAllowed(uint32 solutionOfferId);
    /// @notice A hash that identifies what is sold may not be zero.
    error ZeroHash();

    /**
     * @notice Offers a solution by its hash.
     * @param hardwareMask Hardware kinds that may run it (bit k for kind k).
     * @param requiredMeasurement Runtime measurement it needs, or zero for any allowed one.
     * @param bundleHash Where providers fetch the bundle in the blob store.
     * @param allowedTeeOffers If not empty, only these TEE offers may run it.
     */
    function createSolutionOffer(
        bytes32 solutionHash,
        uint96 price,
        uint8 hardwareMask,
        bytes32 requiredMeasurement,
        bytes32 bundleHash,
        uint32[] calldata allowedTeeOffers
    ) external returns (uint32 offerId);

    /// @notice Sets a new price (a new version) of the caller's solution offer.
    function updateSolutionOffer(uint32 offerId, uint96 price) external;

    /// @notice Enables or disables the caller's solution offer for new orders.
    function setSolutionOfferActive(uint32 offerId, bool active) external;

    /**
     * @notice Offers a dataset by the hash of its encrypted blob.
     * @param allowedSolutionOffers If not empty, only these solution offers may use it.
     * @param allowedTeeOffers If not empty, only these TEE offers may run it.
     */
    function createDataOffer(
        bytes32 dataHash,
        uint96 price,
        uint32[] calldata allowedSolutionOffers,
        uint32[] calldata allowedTeeOffers
    ) external returns (uint32 offerId);

    /// @notice Sets a new price (a new version) of the caller's data offer.
    function updateDataOffer(uint32 offerId, uint96 price) external;

    /// @notice Enables or disables the caller's data offer for new orders.
    function setDataOfferActive(uint32 offerId, bool active) external;

    /**
     * @notice What an order with these offers pays the vendors; reverts with the reason if the
     * offers do not allow it (inactive, another solution, hardware, measurement, restrictions).
     * Offer id zero: no such offer.
     */
    function quote(
        uint32 solutionOfferId,
        uint32 dataOfferId,
        uint32 teeOfferId,
        IEnclaveRegistry.Hardware hardware,
        bytes32 measurement,
        bytes32 solutionHash
    ) external view returns (Quote memory);

    /// @notice The solution offer `offerId` (owner zero if there is none).
    function getSolutionOffer(uint32 offerId) external view returns (SolutionOffer memory);

    /// @notice The data offer `offerId` (owner zero if there is none).
    function getDataOffer(uint32 offerId) external view returns (DataOffer memory);

    /// @notice Number of solution offers; their ids run from 1.
    function solutionOfferCount() external view returns (uint32);

    /// @notice Number of data offers; their ids run from 1.
    function dataOfferCount() external view returns (uint32);

    /// @notice Whether a solution offer restricted to some TEE offers lists `teeOfferId`.
    function solutionAllowsTeeOffer(uint32 solutionOfferId, uint32 teeOfferId) external view returns (bool);

    /// @notice Whether a data offer restricted to some solution offers lists `solutionOfferId`.
    function dataAllowsSolutionOffer(uint32 dataOfferId, uint32 solutionOfferId) external view returns (bool);

    /// @notice Whether a data offer restricted to some TEE offers lists `teeOfferId`.
    function dataAllowsTeeOffer(uint32 dataOfferId, uint32 teeOfferId) external view returns (bool);
}
