// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title IOrders
 * @notice Orders with escrow. The customer escrows the TEE, solution and data prices plus the
 * protocol fee; the provider accepts by `acceptBy`; a receipt signed by the order's enclave over
 * the order's hashes, before `deadline`, pays everyone (pull payments). Before acceptance the
 * customer may cancel; after a missed `acceptBy` or `deadline` anyone may refund, and for a missed
 * `deadline` part of the provider's stake goes to the customer, unless governance removed the
 * enclave's runtime measurement from the allow-list meanwhile (then no receipt could count).
 *
 * An order's id is the hash of its terms (`uint256(keccak256(abi.encode(terms)))`), and only its
 * status is stored; the terms are in the {OrderCreated} event, and calls that act on an order pass
 * them back: other terms are another (unknown) order.
 */
interface IOrders {
    enum OrderStatus {
        None,
        Created,
        Accepted,
        Completed,
        Cancelled,
        Refunded,
        Failed
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
        /// SHA-256 of the order request blob (wrapped data key, result public key, input hash).
        bytes32 requestHash;
        /// SHA-256 of the input ciphertext.
        bytes32 inputHash;
        /// SHA-256 of the solution bundle; must equal the solution offer's when there is one.
        bytes32 solutionHash;
        /// The most the caller agrees to pay (prices may change between reading and ordering).
        uint256 maxPayment;
    }

    /// @notice An order's terms, fixed at creation.
    struct OrderTerms {
        address customer;
        address enclave;
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
    }

    struct ReceiptSubmission {
        OrderTerms terms;
        bytes32 outputHash;
        bytes signature;
    }

    event OrderCreated(uint256 indexed orderId, address indexed customer, uint32 indexed teeOfferId, OrderTerms terms);
    event OrderAccepted(uint256 indexed orderId);
    /// @notice The enclave's receipt was accepted; the terms' prices were credited to the TEE,
    /// solution and data offers' owners and the fee to the fee receiver.
    event OrderCompleted(uint256 indexed orderId, address indexed enclave, bytes32 outputHash, bytes signature);
    /// @notice The customer cancelled before acceptance; the whole escrow was credited back.
    event OrderCancelled(uint256 indexed orderId);
    /// @notice The whole escrow (`amount`) was credited back to the customer, plus `slashed` of the provider's stake.
    event OrderRefunded(uint256 indexed orderId, uint256 amount, uint256 slashed);
    /// @notice The order's enclave signed that it could not run the order for `reason` (1: the input
    /// could not be decrypted, 2: the solution rejected the input); the escrow was credited back to
    /// the customer and nobody was slashed.
    event OrderFailed(uint256 indexed orderId, address indexed enclave, uint8 reason, bytes signature);

    error TeeOfferNotActive(uint32 offerId);
    error SolutionOfferNotActive(uint32 offerId);
    error DataOfferNotActive(uint32 offerId);
    error SolutionMismatch(bytes32 offered, bytes32 requested);
    error HardwareNotAllowed(uint8 hardware);
    error TeeOfferNotAllowed(uint32 teeOfferId);
    error SolutionOfferNotAllowed(uint32 solutionOfferId);
    error EnclaveNotOfOfferProvider(address enclave, address provider);
    error InvalidDeadlines(uint40 acceptBy, uint40 deadline);
    error PaymentAboveMaximum(uint256 total, uint256 maxPayment);
    error OrderNotFound(uint256 orderId);
    error OrderAlreadyExists(uint256 orderId);
    error WrongOrderStatus(uint256 orderId, OrderStatus status);
    error NotOrderProvider(uint256 orderId, address caller);
    error NotOrderCustomer(uint256 orderId, address caller);
    error StakeBelowMinimum(address provider, uint256 activeStake, uint256 minimum);
    error OfferAtCapacity(uint32 offerId);
    error AcceptDeadlinePassed(uint256 orderId, uint40 acceptBy);
    error DeadlinePassed(uint256 orderId, uint40 deadline);
    error RefundNotYetDue(uint256 orderId, uint40 dueAfter);
    error InvalidReceiptSigner(address recovered, address expected);
    error InvalidFailureReason(uint8 reason);

    /// @notice Creates an order and escrows its price from the caller's balance (pulling any shortfall from the wallet).
    /// @return orderId The new order's id, the hash of its terms.
    function createOrder(OrderParams calldata params) external returns (uint256 orderId);

    /// @notice Accepts the order with these terms on one of the caller's TEE offers; needs the minimum stake and free capacity.
    function acceptOrder(OrderTerms calldata terms) external;

    /// @notice {acceptOrder} for many orders in one transaction.
    function acceptOrders(OrderTerms[] calldata terms) external;

    /**
     * @notice Completes an accepted order with its enclave's EIP-712 Receipt signature over
     * (orderId, requestHash, inputHash, solutionHash, outputHash). Anyone may submit it.
     */
    function submitReceipt(OrderTerms calldata terms, bytes32 outputHash, bytes calldata signature) external;

    /// @notice {submitReceipt} for many orders in one transaction.
    function submitReceipts(ReceiptSubmission[] calldata receipts) external;

    /**
     * @notice Ends an accepted order with its enclave's EIP-712 Failure signature over (orderId,
     * requestHash, inputHash, solutionHash, reason): the input could not be decrypted (1) or the
     * solution rejected it (2). The escrow goes back to the customer, without slashing. Anyone may submit it.
     */
    function submitFailure(OrderTerms calldata terms, uint8 reason, bytes calldata signature) external;

    /// @notice Cancels the caller's order before it is accepted; the escrow is credited back.
    function cancelOrder(OrderTerms calldata terms) external;

    /// @notice Refunds an order not accepted by `acceptBy`, or accepted and not completed by `deadline` (then also slashing the provider, unless its enclave's measurement was removed from the allow-list). Anyone may call.
    function refundOrder(OrderTerms calldata terms) external;

    /// @notice The status of `orderId`.
    function getOrderStatus(uint256 orderId) external view returns (OrderStatus);

    /// @notice The id of the order with these terms: `uint256(keccak256(abi.encode(terms)))`.
    function orderIdOf(OrderTerms calldata terms) external pure returns (uint256);
}
