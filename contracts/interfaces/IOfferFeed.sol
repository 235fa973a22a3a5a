// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title IOfferFeed
 * @notice What the market keeps of each plain solution offer (one allowed on any TEE offer and
 * any allowed measurement), so that creating an order on one reads two slots of the market's own
 * instead of calling the catalog. The catalog pushes the offer here whenever its price or activity
 * changes, in the same transaction; what else {ICatalog-quote} checks of it (solution, hardware)
 * never changes. An order the copy does not clearly allow (another solution, an inactive offer,
 * a data offer, a restricted offer, an offer the copy lacks) is quoted by the catalog itself,
 * which refuses it with its own reason or prices it. Served by the market's delegate; call it on
 * the market's address.
 */
interface IOfferFeed {
    /// @notice A plain solution offer as the market keeps it, under its id and solution hash.
    struct SolutionAccess {
        /// The offer's owner, paid its price.
        address vendor;
        bool active;
        /// Bit `k` set: hardware kind `k` may run it ({ICatalog-SolutionOffer}).
        uint8 hardwareMask;
    }

    /// @notice The market now keeps `access` and `price` for solution offer `offerId` selling `solutionHash`.
    event SolutionOfferRecorded(
        uint32 indexed offerId,
        bytes32 indexed solutionHash,
        SolutionAccess access,
        uint96 price
    );

    /// @notice Only the market's catalog may change what the market keeps of offers.
    error NotCatalog(address caller);

    /// @notice Keeps plain solution offer `offerId` as it is now. The catalog only.
    function recordSolutionOffer(
        uint32 offerId,
        bytes32 solutionHash,
        SolutionAccess calldata access,
        uint96 price
    ) external;

    /// @notice What the market keeps of solution offer `offerId` selling `solutionHash` (vendor zero if nothing).
    function solutionAccessOf(
        uint32 offerId,
        bytes32 solutionHash
    ) external view returns (SolutionAccess memory access, uint96 price);
}
