// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title IBoccMarket
 * @notice Types, events and errors of the BOCC market: TEE offers, enclaves bound to attestation
 * evidence, and orders whose escrow is paid out only against a receipt signed by the order's enclave.
 * The events form a complete audit log: every state can be rebuilt from them alone.
 */
interface IBoccMarket {
    enum OrderStatus {
        None,
        Created,
        Completed,
        Refunded
    }

    /// @notice An enclave key, registered by the provider that runs it.
    struct Enclave {
        address provider;
        bool active;
        /// X25519 public key that data keys are wrapped to (RFC 9180).
        bytes32 hpkePublicKey;
        /// Runtime measurement read from the evidence.
        bytes32 measurement;
        /// SHA-256 of the evidence (hardware quote) binding both keys; the evidence is in the blob store.
        bytes32 evidenceHash;
    }

    /// @notice A TEE compute offer.
    struct Offer {
        address provider;
        uint96 price;
        bool active;
    }

    struct Order {
        address customer;
        uint64 offerId;
        uint64 deadline;
        OrderStatus status;
        address enclave;
        uint96 escrow;
        /// SHA-256 of the order request blob (wrapped data key, result public key, input hash).
        bytes32 requestHash;
        /// SHA-256 of the input ciphertext.
        bytes32 inputHash;
        /// SHA-256 of the solution (model) bundle the order is for.
        bytes32 solutionHash;
        /// SHA-256 of the output ciphertext, once a receipt is accepted.
        bytes32 outputHash;
    }

    event EnclaveRegistered(
        address indexed enclave,
        address indexed provider,
        bytes32 hpkePublicKey,
        bytes32 measurement,
        bytes32 evidenceHash,
        bytes32 freshness
    );
    event EnclaveRevoked(address indexed enclave, address indexed provider);
    event OfferCreated(uint256 indexed offerId, address indexed provider, uint96 price);
    event OfferActiveSet(uint256 indexed offerId, bool active);
    event OrderCreated(
        uint256 indexed orderId,
        address indexed customer,
        uint256 indexed offerId,
        address enclave,
        bytes32 requestHash,
        bytes32 inputHash,
        bytes32 solutionHash,
        uint96 escrow,
        uint64 deadline
    );
    event OrderCompleted(uint256 indexed orderId, address indexed enclave, bytes32 outputHash, bytes signature);
    event OrderRefunded(uint256 indexed orderId, address indexed customer, uint96 amount);
    event Withdrawn(address indexed account, uint256 amount);

    error EnclaveAlreadyRegistered(address enclave);
    error EnclaveNotActive(address enclave);
    error NotEnclaveProvider(address caller, address provider);
    error InvalidEnclaveKey();
    error OfferNotFound(uint256 offerId);
    error OfferNotActive(uint256 offerId);
    error NotOfferProvider(address caller, address provider);
    error EnclaveNotOfOfferProvider(address enclave, address provider);
    error DeadlineNotInFuture(uint64 deadline, uint256 timestamp);
    error OrderNotFound(uint256 orderId);
    error OrderNotOpen(uint256 orderId, OrderStatus status);
    error InvalidReceiptSigner(address recovered, address expected);
    error DeadlinePassed(uint256 orderId, uint64 deadline);
    error DeadlineNotPassed(uint256 orderId, uint64 deadline);
    error NothingToWithdraw(address account);
}
