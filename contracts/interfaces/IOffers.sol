// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title IOffers
 * @notice What is for sale. TEE offers (a provider's machines of one hardware kind, a price per
 * order and a capacity of orders at once), solution offers (a model or program, by hash, with its
 * price and where it may run) and data offers (a dataset, by hash, with its price and who may use
 * it). Hardware kinds: 0 sim (development only), 1 tdx, 2 sev-snp, 3 sgx, 4 nvidia-cc.
 * An update is a new version: orders keep the price they were created with.
 */
interface IOffers {
    struct TeeOffer {
        address provider;
        uint8 hardware;
        bool active;
        uint32 capacity;
        uint32 activeOrders;
        uint32 version;
        uint96 price;
    }

    struct SolutionOffer {
        address owner;
        bool active;
        /// Bit `k` set: hardware kind `k` may run it.
        uint8 hardwareMask;
        /// Only the TEE offers listed by {solutionAllowsTeeOffer} may run it.
        bool restrictTeeOffers;
        uint32 version;
        uint96 price;
        bytes32 solutionHash;
        /// The runtime measurement it needs; zero: any allowed measurement.
        bytes32 requiredMeasurement;
    }

    struct DataOffer {
        address owner;
        bool active;
        bool restrictSolutions;
        bool restrictTeeOffers;
        uint32 version;
        uint96 price;
        bytes32 dataHash;
    }

    event TeeOfferCreated(uint32 indexed offerId, address indexed provider, uint8 hardware, uint96 price, uint32 capacity);
    event TeeOfferUpdated(uint32 indexed offerId, uint32 version, uint96 price, uint32 capacity);
    event TeeOfferActiveSet(uint32 indexed offerId, bool active);
    event SolutionOfferCreated(
        uint32 indexed offerId,
        address indexed owner,
        bytes32 solutionHash,
        uint96 price,
        uint8 hardwareMask,
        bytes32 requiredMeasurement,
        uint32[] allowedTeeOffers
    );
    event SolutionOfferUpdated(uint32 indexed offerId, uint32 version, uint96 price);
    event SolutionOfferActiveSet(uint32 indexed offerId, bool active);
    event DataOfferCreated(
        uint32 indexed offerId,
        address indexed owner,
        bytes32 dataHash,
        uint96 price,
        uint32[] allowedSolutionOffers,
        uint32[] allowedTeeOffers
    );
    event DataOfferUpdated(uint32 indexed offerId, uint32 version, uint96 price);
    event DataOfferActiveSet(uint32 indexed offerId, bool active);

    error OfferNotFound(uint32 offerId);
    error NotOfferOwner(uint32 offerId, address caller);
    error InvalidHardware(uint8 hardware);
    error ZeroCapacity();

    /// @notice Offers the caller's TEE machines of `hardware` kind at `price` per order, `capacity` orders at once.
    function createTeeOffer(uint8 hardware, uint96 price, uint32 capacity) external returns (uint32 offerId);

    /// @notice Sets a new price and capacity (a new version) of the caller's TEE offer.
    function updateTeeOffer(uint32 offerId, uint96 price, uint32 capacity) external;

    /// @notice Enables or disables the caller's TEE offer for new orders.
    function setTeeOfferActive(uint32 offerId, bool active) external;

    /**
     * @notice Offers a solution by its hash.
     * @param hardwareMask Hardware kinds that may run it (bit k for kind k).
     * @param requiredMeasurement Runtime measurement it needs, or zero for any allowed one.
     * @param allowedTeeOffers If not empty, only these TEE offers may run it.
     */
    function createSolutionOffer(
        bytes32 solutionHash,
        uint96 price,
        uint8 hardwareMask,
        bytes32 requiredMeasurement,
        uint32[] calldata allowedTeeOffers
    ) external returns (uint32 offerId);

    /// @notice Sets a new price (a new version) of the caller's solution offer.
    function updateSolutionOffer(uint32 offerId, uint96 price) external;

    /// @notice Enables or disables the caller's solution offer for new orders.
    function setSolutionOfferActive(uint32 offerId, bool active) external;

    /**
     * @notice Offers a dataset by its hash.
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

    /// @notice The TEE offer `offerId` (provider zero if there is none).
    function getTeeOffer(uint32 offerId) external view returns (TeeOffer memory);

    /// @notice The solution offer `offerId` (owner zero if there is none).
    function getSolutionOffer(uint32 offerId) external view returns (SolutionOffer memory);

    /// @notice The data offer `offerId` (owner zero if there is none).
    function getDataOffer(uint32 offerId) external view returns (DataOffer memory);

    /// @notice Whether a solution offer restricted to some TEE offers lists `teeOfferId`.
    function solutionAllowsTeeOffer(uint32 solutionOfferId, uint32 teeOfferId) external view returns (bool);

    /// @notice Whether a data offer restricted to some solution offers lists `solutionOfferId`.
    function dataAllowsSolutionOffer(uint32 dataOfferId, uint32 solutionOfferId) external view returns (bool);

    /// @notice Whether a data offer restricted to some TEE offers lists `teeOfferId`.
    function dataAllowsTeeOffer(uint32 dataOfferId, uint32 teeOfferId) external view returns (bool);
}
