// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title ILeaseMarket
 * @notice Leases of a model solution on a TEE offer: the customer escrows a time window and a
 * token budget, priced by the two offers (the TEE offer's price per hour, the solution offer's per
 * 1,000 tokens); the enclave serves the customer's end-to-end encrypted requests and signs
 * cumulative usage per lease (EIP-712 `LeaseUsage`); the provider settles that usage in batches;
 * (the usage names the lease's customer, whose key signed every request it counts, so requests
 * anyone else sends under the lease id are never charged to it);
 * the customer can contest an over-claim with a signed usage it holds; after the lease ends and
 * the settlement window passes, finalising pays the provider and the solution vendor and refunds
 * the rest of the escrow exactly (docs/protocol.md, "Leases").
 */
interface ILeaseMarket {
    struct Lease {
        address customer;
        address provider;
        address solutionVendor;
        uint32 teeOfferId;
        uint32 solutionOfferId;
        uint40 startsAt;
        uint40 endsAt;
        /// When the customer closed it early (zero while open, or when it ran to `endsAt`).
        uint40 closedAt;
        /// The last settlement or contest: the settlement window runs from it as well.
        uint40 lastSettledAt;
        bool finalized;
        /// A proven over-claim voids every charge of the lease.
        bool overClaimed;
        uint96 pricePerHour;
        uint96 pricePerThousandTokens;
        uint64 maxTokens;
        /// Tokens claimed by settlements (all enclaves), before the budget's cap.
        uint64 tokensClaimed;
        uint128 escrow;
        bytes32 solutionHash;
    }

    /// @notice Cumulative counters an enclave signs for one lease; each only grows.
    struct Usage {
        uint64 tokensIn;
        uint64 tokensOut;
        uint64 requests;
    }

    /// @notice One enclave's signed usage of one lease, as the provider settles it.
    struct SignedUsage {
        uint256 leaseId;
        address enclave;
        Usage usage;
        bytes signature;
    }

    event LeaseOpened(
        uint256 indexed leaseId,
        address indexed customer,
        address indexed provider,
        uint32 teeOfferId,
        uint32 solutionOfferId,
        bytes32 solutionHash,
        uint40 startsAt,
        uint40 endsAt,
        uint64 maxTokens,
        uint128 escrow
    );
    event UsageSettled(
        uint256 indexed leaseId,
        address indexed enclave,
        uint64 tokensIn,
        uint64 tokensOut,
        uint64 requests,
        uint64 tokensClaimed
    );
    event OverClaimProven(
        uint256 indexed leaseId,
        address indexed enclave,
        uint64 tokensIn,
        uint64 tokensOut,
        uint64 requests
    );
    event LeaseClosed(uint256 indexed leaseId, uint40 closedAt);
    event LeaseFinalized(uint256 indexed leaseId, uint256 providerPaid, uint256 vendorPaid, uint256 refund);
    event Withdrawn(address indexed account, uint256 amount);
    event LeaseEndpointSet(address indexed provider, string url);

    error LeaseNotFound(uint256 leaseId);
    error NotLeaseCustomer(uint256 leaseId, address caller);
    error NotLeaseProvider(uint256 leaseId, address caller);
    error TeeOfferNotActive(uint32 teeOfferId);
    error SolutionOfferNotActive(uint32 solutionOfferId);
    error SolutionNotAllowedOnTeeOffer(uint32 solutionOfferId, uint32 teeOfferId);
    error DurationOutOfRange(uint40 duration, uint40 maxDuration);
    error ZeroTokenBudget();
    error LeaseAlreadyEnded(uint256 leaseId, uint40 endedAt);
    error LeaseAlreadyFinalized(uint256 leaseId);
    error SettlementWindowOver(uint256 leaseId, uint40 closedAt);
    error EnclaveNotOfProvider(address enclave, address provider);
    error UsageSignatureInvalid(uint256 leaseId, address enclave, address recovered);
    error UsageNotIncreasing(uint256 leaseId, address enclave, uint64 settledRequests, uint64 requests);
    error NotAnOverClaim(uint256 leaseId, address enclave);
    error LeaseNotFinalizable(uint256 leaseId, uint40 finalizableAt);
    error NothingToWithdraw(address account);
    error LeaseEndpointTooLong(uint256 length, uint256 maxLength);

    /**
     * @notice Opens a lease of solution offer `solutionOfferId` on TEE offer `teeOfferId` from now
     * for `durationSeconds`, with a budget of `maxTokens` tokens (prompt and generated), and
     * escrows its price from the caller (who must have approved this contract for it).
     * @dev Escrow = ceil(teePrice × duration / 3600) + ceil(solutionPrice × maxTokens / 1000).
     * @return leaseId The new lease's id (ids run from 1).
     */
    function openLease(
        uint32 teeOfferId,
        uint32 solutionOfferId,
        uint40 durationSeconds,
        uint64 maxTokens
    ) external returns (uint256 leaseId);

    /**
     * @notice Settles signed usage of the caller's leases, each item one enclave's cumulative
     * counters: only what grew since that enclave's last settlement is claimed, so a usage is
     * never settled twice. Allowed until the settlement window after a lease's end.
     */
    function settleUsage(SignedUsage[] calldata batch) external;

    /**
     * @notice Proves an over-claim with a usage `enclave` signed for lease `leaseId` that the
     * customer holds: at least as many requests as the settled usage of that enclave, yet fewer
     * tokens in or out. Counters only grow, so the settled claim cannot be true; every charge of
     * the lease is voided and the lease ends now.
     */
    function proveOverClaim(uint256 leaseId, address enclave, Usage calldata usage, bytes calldata signature) external;

    /// @notice Ends the caller's lease now; the provider may still settle within the settlement window.
    function closeLease(uint256 leaseId) external;

    /**
     * @notice After a lease's end and its settlement window (from the end and from the last
     * settlement), credits the provider the time used, the solution vendor the tokens charged
     * (at most the budget) and the customer the rest of the escrow. Anyone may call it.
     */
    function finalizeLease(uint256 leaseId) external;

    /// @notice Pays the caller its whole balance (pull payments).
    function withdraw() external;

    /// @notice The lease `leaseId` (customer zero if there is none).
    function getLease(uint256 leaseId) external view returns (Lease memory);

    /// @notice The usage of `enclave` settled so far for lease `leaseId`.
    function settledUsage(uint256 leaseId, address enclave) external view returns (Usage memory);

    /// @notice What `account` can withdraw.
    function balanceOf(address account) external view returns (uint256);

    /// @notice When lease `leaseId` can be finalised (zero while it runs and is not closed).
    function finalizableAt(uint256 leaseId) external view returns (uint40);

    /// @notice Number of leases; their ids run from 1.
    function leaseCount() external view returns (uint256);

    /**
     * @notice Publishes the URL of the caller's lease front (empty: none), where its customers
     * send their sealed requests.
     * @dev The front is untrusted: a wrong URL costs only availability, since clients verify the
     * enclave behind it against their own policy before sealing anything to it.
     * @param url An http(s) URL of at most 256 bytes (not checked on-chain beyond its length).
     */
    function setLeaseEndpoint(string calldata url) external;

    /// @notice The lease front URL `provider` published last (empty if none).
    function leaseEndpointOf(address provider) external view returns (string memory);
}
