// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title IOrderTypes
 * @notice Orders with escrow, paid on delivery, with fair exchange between customer and provider.
 *
 * The customer escrows the TEE, solution and data prices plus the protocol fee; the provider
 * accepts by `acceptBy` (locking part of its stake); the order's enclave signs a receipt over the
 * order id, the output's hash and the result key sealed to the customer, and whoever submits it
 * before `deadline` reveals that sealed key on-chain: the customer can read the result exactly
 * when the provider is paid. Payouts mature after the challenge window, in which the customer
 * may challenge a withheld output; the provider must then publish the output on-chain within the
 * response window, or the order is refunded and the provider slashed.
 *
 * Ends without delivery: the customer cancels before acceptance; anyone refunds after a missed
 * `acceptBy` (no slash) or `deadline` (slash, unless the registry excuses the provider); the
 * enclave signs a failure whose cause the provider does not control (refund, no slash); the
 * provider hands the order back before the deadline (refund and a smaller hand-back fee).
 *
 * An order's id is the hash of its terms (`uint256(keccak256(abi.encode(terms)))`), and only its
 * state is stored; the terms are in the {OrderCreated} event, and calls that act on an order pass
 * them back: other terms are another (unknown) order. Batch calls skip an order that cannot be
 * acted on ({OrderSkipped}) and go on with the others.
 */
interface IOrderTypes {
    enum OrderStatus {
        None,
        Created,
        Accepted,
        Completed,
        Challenged,
        Cancelled,
        Refunded,
        Failed,
        HandedBack
    }

    /// @notice Why an enclave could not run an order, for causes the provider does not control.
    enum FailureReason {
        None,
        InputUndecryptable,
        InputRejected,
        InputOverLimits,
        VendorKeyNotReleased,
        SolutionUnavailable,
        JobCrashed,
        JobTimedOut,
        JobOutOfMemory
    }

    /// @notice What a customer asks for in {createOrder}.
    struct OrderParams {
        address enclave;
        uint32 teeOfferId;
        /// Zero: no solution offer (the customer brings the solution, named by `solutionHash`).
        uint32 solutionOfferId;
        /// Zero: no data offer.
        uint32 dataOfferId;
        uint40 acceptBy;
        uint40 deadline;
        /// SHA-256 of the order request blob (wrapped data keys, result public key, input hashes).
        bytes32 requestHash;
        /// SHA-256 of the customer's inputs as the order request lists them.
        bytes32 inputHash;
        /// The solution's hash; must equal the solution offer's when there is one.
        bytes32 solutionHash;
        /// The most the caller agrees to pay (prices may change between reading and ordering).
        uint256 maxPayment;
    }

    /// @notice An order's terms, fixed at creation.
    struct OrderTerms {
        address customer;
        address enclave;
        /// The solution offer's owner (zero without one).
        address solutionVendor;
        /// The data offer's owner (zero without one).
        address dataVendor;
        uint32 teeOfferId;
        uint32 solutionOfferId;
        uint32 dataOfferId;
        uint40 acceptBy;
        uint40 deadline;
        uint96 teePrice;
        uint96 solutionPrice;
        uint96 dataPrice;
        uint96 fee;
        bytes32 requestHash;
        bytes32 inputHash;
        bytes32 solutionHash;
        /// The data offer's dataset (zero without one).
        bytes32 dataHash;
    }

    /// @notice An order's stored state.
    struct OrderState {
        OrderStatus status;
        /// Completed: when it was delivered (zero once its output is on-chain). Challenged: the response deadline.
        uint40 since;
        /// What was delivered: the first 26 bytes of keccak256(outputHash, keccak256(wrappedResultKey)); an answer to a challenge must publish exactly that.
        bytes26 delivery;
    }

    struct ReceiptSubmission {
        OrderTerms terms;
        bytes32 outputHash;
        bytes wrappedResultKey;
        bytes signature;
    }

    struct FailureSubmission {
        OrderTerms terms;
        FailureReason reason;
        bytes signature;
    }

    event OrderCreated(uint256 indexed orderId, address indexed customer, uint32 indexed teeOfferId, OrderTerms terms);
    event OrderAccepted(uint256 indexed orderId);
    /**
     * @notice The enclave's receipt was accepted: `wrappedResultKey` opens the output at
     * `outputHash` for the customer; the prices were credited (maturing) to the TEE offer's
     * provider, the vendors and the fee receiver.
     */
    event OrderCompleted(
        uint256 indexed orderId,
        address indexed enclave,
        bytes32 outputHash,
        bytes wrappedResultKey,
        bytes signature
    );
    /// @notice The customer says the output is withheld; the payouts are held back until `respondBy`.
    event OrderChallenged(uint256 indexed orderId, uint40 respondBy);
    /// @notice The output was published on-chain in answer to a challenge; the payouts stand again.
    event ChallengeAnswered(uint256 indexed orderId, bytes output);
    /// @notice The customer cancelled before acceptance; the whole escrow was credited back.
    event OrderCancelled(uint256 indexed orderId);
    /// @notice `amount` was credited back to the customer, plus `slashed` of the provider's stake.
    event OrderRefunded(uint256 indexed orderId, uint256 amount, uint256 slashed);
    /// @notice The order's enclave signed that it could not run the order for `reason`; the escrow was credited back, nobody was slashed.
    event OrderFailed(uint256 indexed orderId, address indexed enclave, FailureReason reason, bytes signature);
    /// @notice The provider handed the order back; the escrow and `fee` of its stake went to the customer.
    event OrderHandedBack(uint256 indexed orderId, uint256 fee);
    /// @notice A batch call skipped the order; `reason` is the custom error the single call reverts with.
    event OrderSkipped(uint256 indexed orderId, bytes reason);

    error TeeOfferNotActive(uint32 offerId);
    /// @notice The enclave is not bound to the TEE offer's provider.
    error EnclaveNotOfOfferProvider(address enclave, address provider);
    /// @notice The enclave runs on another hardware kind than the TEE offer sells.
    error EnclaveHardwareMismatch(address enclave, uint8 enclaveHardware, uint8 offerHardware);
    error InvalidDeadlines(uint40 acceptBy, uint40 deadline);
    /// @notice The deadline is not before the enclave's registration expires: a receipt at the deadline could not count.
    error DeadlineAfterEnclaveExpiry(uint40 deadline, uint40 expiresAt);
    error PaymentAboveMaximum(uint256 total, uint256 maxPayment);
    error OrderNotFound(uint256 orderId);
    error OrderAlreadyExists(uint256 orderId);
    error WrongOrderStatus(uint256 orderId, OrderStatus status);
    error NotOrderProvider(uint256 orderId, address caller);
    error NotOrderCustomer(uint256 orderId, address caller);
    error OfferAtCapacity(uint32 offerId);
    error AcceptDeadlinePassed(uint256 orderId, uint40 acceptBy);
    error DeadlinePassed(uint256 orderId, uint40 deadline);
    error RefundNotYetDue(uint256 orderId, uint40 dueAfter);
    error InvalidEnclaveSignature(address recovered, address expected);
    /// @notice The enclave cannot sign for orders now (revoked, expired or measurement removed).
    error EnclaveNotUsable(address enclave);
    error InvalidFailureReason(uint8 reason);
    error ChallengeWindowClosed(uint256 orderId, uint40 closedAt);
    error ResponseWindowClosed(uint256 orderId, uint40 closedAt);
    error OutputMismatch(bytes32 expected, bytes32 published);
    /// @notice The answer publishes another output or result key than the receipt the order was completed with.
    error AnswerNotTheDelivery(uint256 orderId);
}
