// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IEnclaveRegistry} from "./IEnclaveRegistry.sol";

/**
 * @title IOfferFeed
 * @notice What the market keeps of each plain solution offer (one allowed on any TEE offer and
 * any allowed measurement), so that creating an order on one reads one slot of the market's own
 * instead of calling the catalog: per hardware kind the offer allows, its vendor and price while
 * it is active. The catalog pushes the offer here whenever its price or activity changes, in the
 * same transaction; what else {ICatalog-quote} checks of it (solution, hardware) never changes.
 * An order the copy does not clearly allow (another solution or hardware, an inactive offer, a
 * data offer, a restricted offer, an offer the copy lacks) is quoted by the catalog itself,
 * which refuses it with its own reason or prices it. Served by the market's delegate; call it on
 * the market's address.
 */
interface IOfferFeed {
    /// @notice What an order on a plain, active solution offer pays its vendor; vendor zero: no copy.
    struct SolutionQuote {
        address vendor;
        uint96 price;
    }

    /**
     * @notice The market now keeps solution offer `offerId` selling `solutionHash` on the
     * hardware kinds of `hardwareMask`, at `price` and paid to `vendor` (zero: inactive).
     */
    event SolutionOfferRecorded(
        uint32 indexed offerId,
        bytes32 indexed solutionHash,
        uint8 hardwareMask,
        address vendor,
        uint96 price
    );

    /// @notice Only the market's catalog may change what the market keeps of offers.
    error NotCatalog(address caller);

    /**
     * @notice Keeps plain solution offer `offerId` as it is now. The catalog only.
     * @param hardwareMask The kinds it may run on ({ICatalog-SolutionOffer}), which never change.
     * @param vendor Its owner while it is active, zero while it is not.
     */
    function recordSolutionOffer(
        uint32 offerId,
        bytes32 solutionHash,
        uint8 hardwareMask,
        address vendor,
        uint96 price
    ) external;

    /// @notice What the market keeps of solution offer `offerId` selling `solutionHash` on `hardware` (vendor zero if nothing).
    function solutionQuoteOf(
        uint32 offerId,
        bytes32 solutionHash,
        IEnclaveRegistry.Hardware hardware
    ) external view returns (SolutionQuote memory);
}
