// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IOrders} from "../interfaces/IOrders.sol";
import {EnclaveRegistry} from "./EnclaveRegistry.sol";
import {ProviderStaking} from "./ProviderStaking.sol";

/**
 * @title Orders
 * @notice The order lifecycle. `_setStatus` is the one place an order's state changes.
 */
abstract contract Orders is IOrders, EnclaveRegistry, ProviderStaking {
    /// @dev Must match `receiptTypes` in src/protocol/receipt.ts.
    bytes32 public constant RECEIPT_TYPEHASH = keccak256(
        "Receipt(uint256 orderId,bytes32 requestHash,bytes32 inputHash,bytes32 solutionHash,bytes32 outputHash)"
    );

    /// @dev Must match `failureTypes` in src/protocol/receipt.ts.
    bytes32 public constant FAILURE_TYPEHASH = keccak256(
        "Failure(uint256 orderId,bytes32 requestHash,bytes32 inputHash,bytes32 solutionHash,uint8 reason)"
    );

    /// @notice Receives the protocol fee.
    address public immutable feeReceiver;
    /// @notice Protocol fee, in basis points of the order's prices.
    uint16 public immutable feeBps;
    /// @notice Share of an order's value taken from the provider's stake when it misses the deadline, in basis points.
    uint16 public immutable slashBps;
    /// @notice Longest time from creation to deadline, no longer than the unstake delay.
    uint40 public immutable maxOrderDuration;

    mapping(uint256 orderId => OrderStatus) private _statuses;

    constructor(address feeReceiver_, uint16 feeBps_, uint16 slashBps_, uint40 maxOrderDuration_) {
        feeReceiver = feeReceiver_;
        feeBps = feeBps_;
        slashBps = slashBps_;
        maxOrderDuration = maxOrderDuration_;
    }

    /// @inheritdoc IOrders
    function createOrder(OrderParams calldata params) external nonReentrant returns (uint256 orderId) {
        OrderTerms memory terms;
        terms.customer = msg.sender;
        terms.enclave = params.enclave;
        terms.teeOfferId = params.teeOfferId;
        terms.solutionOfferId = params.solutionOfferId;
        terms.dataOfferId = params.dataOfferId;
        terms.acceptBy = params.acceptBy;
        terms.deadline = params.deadline;
        terms.requestHash = params.requestHash;
        terms.inputHash = params.inputHash;
        terms.solutionHash = params.solutionHash;
        if (
            params.acceptBy <= block.timestamp || params.deadline < params.acceptBy
                || params.deadline > block.timestamp + maxOrderDuration
        ) revert InvalidDeadlines(params.acceptBy, params.deadline);

        TeeOffer storage tee = _teeOffers[params.teeOfferId];
        address provider = tee.provider;
        if (provider == address(0)) revert OfferNotFound(params.teeOfferId);
        if (!tee.active) revert TeeOfferNotActive(params.teeOfferId);
        terms.teePrice = tee.price;
        uint8 hardware = tee.hardware;
        Enclave storage enclave = _enclaves[params.enclave];
        if (!isEnclaveActive(params.enclave)) revert EnclaveNotActive(params.enclave);
        if (enclave.provider != provider) revert EnclaveNotOfOfferProvider(params.enclave, provider);
        if (enclave.hardware != hardware) revert HardwareNotAllowed(enclave.hardware);

        if (params.solutionOfferId != 0) terms.solutionPrice = _checkSolutionOffer(params, hardware);
        if (params.dataOfferId != 0) terms.dataPrice = _checkDataOffer(params);

        uint256 prices = uint256(terms.teePrice) + terms.solutionPrice + terms.dataPrice;
        terms.fee = uint96(prices * feeBps / 10_000);
        uint256 total = prices + terms.fee;
        if (total > params.maxPayment) revert PaymentAboveMaximum(total, params.maxPayment);

        orderId = uint256(keccak256(abi.encode(terms)));
        if (_statuses[orderId] != OrderStatus.None) revert OrderAlreadyExists(orderId);
        _statuses[orderId] = OrderStatus.Created;
        emit OrderCreated(orderId, msg.sender, params.teeOfferId, terms);
        _collect(msg.sender, total);
    }

    /// @inheritdoc IOrders
    function acceptOrder(OrderTerms calldata terms) external {
        _accept(terms);
    }

    /// @inheritdoc IOrders
    function acceptOrders(OrderTerms[] calldata terms) external {
        for (uint256 i; i < terms.length; ++i) {
            _accept(terms[i]);
        }
    }

    /// @inheritdoc IOrders
    function submitReceipt(OrderTerms calldata terms, bytes32 outputHash, bytes calldata signature) external {
        _complete(terms, outputHash, signature);
    }

    /// @inheritdoc IOrders
    function submitReceipts(ReceiptSubmission[] calldata receipts) external {
        for (uint256 i; i < receipts.length; ++i) {
            ReceiptSubmission calldata receipt = receipts[i];
            _complete(receipt.terms, receipt.outputHash, receipt.signature);
        }
    }

    /// @inheritdoc IOrders
    function submitFailure(OrderTerms calldata terms, uint8 reason, bytes calldata signature) external {
        uint256 orderId = _requireStatus(terms, OrderStatus.Accepted);
        if (reason == 0 || reason > 2) revert InvalidFailureReason(reason);
        _requireEnclaveSignature(
            orderId,
            terms,
            keccak256(abi.encode(FAILURE_TYPEHASH, orderId, terms.requestHash, terms.inputHash, terms.solutionHash, reason)),
            signature
        );
        _setStatus(orderId, OrderStatus.Failed);
        _teeOffers[terms.teeOfferId].activeOrders -= 1;
        emit OrderFailed(orderId, terms.enclave, reason, signature);
        _credit(terms.customer, _total(terms));
    }

    /// @inheritdoc IOrders
    function cancelOrder(OrderTerms calldata terms) external {
        uint256 orderId = _requireStatus(terms, OrderStatus.Created);
        if (msg.sender != terms.customer) revert NotOrderCustomer(orderId, msg.sender);
        _setStatus(orderId, OrderStatus.Cancelled);
        emit OrderCancelled(orderId);
        _credit(terms.customer, _total(terms));
    }

    /// @inheritdoc IOrders
    function refundOrder(OrderTerms calldata terms) external {
        uint256 orderId = orderIdOf(terms);
        OrderStatus status = _statuses[orderId];
        if (status == OrderStatus.None) revert OrderNotFound(orderId);
        uint256 total = _total(terms);
        uint256 slashed;
        if (status == OrderStatus.Created) {
            if (block.timestamp <= terms.acceptBy) revert RefundNotYetDue(orderId, terms.acceptBy);
            _setStatus(orderId, OrderStatus.Refunded);
        } else if (status == OrderStatus.Accepted) {
            if (block.timestamp <= terms.deadline) revert RefundNotYetDue(orderId, terms.deadline);
            _setStatus(orderId, OrderStatus.Refunded);
            TeeOffer storage tee = _teeOffers[terms.teeOfferId];
            tee.activeOrders -= 1;
            // No slashing when governance withdrew the enclave's runtime meanwhile: the provider
            // could not have delivered.
            if (isMeasurementAllowed(_enclaves[terms.enclave].measurement)) {
                slashed = _slash(tee.provider, total * slashBps / 10_000, orderId, terms.customer);
            }
        } else {
            revert WrongOrderStatus(orderId, status);
        }
        emit OrderRefunded(orderId, total, slashed);
        _credit(terms.customer, total);
    }

    /// @inheritdoc IOrders
    function getOrderStatus(uint256 orderId) external view returns (OrderStatus) {
        return _statuses[orderId];
    }

    /// @inheritdoc IOrders
    function orderIdOf(OrderTerms calldata terms) public pure returns (uint256) {
        return uint256(keccak256(abi.encode(terms)));
    }

    function _accept(OrderTerms calldata terms) private {
        uint256 orderId = _requireStatus(terms, OrderStatus.Created);
        TeeOffer storage tee = _teeOffers[terms.teeOfferId];
        if (msg.sender != tee.provider) revert NotOrderProvider(orderId, msg.sender);
        if (block.timestamp > terms.acceptBy) revert AcceptDeadlinePassed(orderId, terms.acceptBy);
        uint256 activeStake = _activeStake(msg.sender);
        if (activeStake < minStake) revert StakeBelowMinimum(msg.sender, activeStake, minStake);
        if (tee.activeOrders >= tee.capacity) revert OfferAtCapacity(terms.teeOfferId);
        tee.activeOrders += 1;
        _setStatus(orderId, OrderStatus.Accepted);
        emit OrderAccepted(orderId);
    }

    function _complete(OrderTerms calldata terms, bytes32 outputHash, bytes calldata signature) private {
        uint256 orderId = _requireStatus(terms, OrderStatus.Accepted);
        _requireEnclaveSignature(
            orderId,
            terms,
            keccak256(
                abi.encode(
                    RECEIPT_TYPEHASH, orderId, terms.requestHash, terms.inputHash, terms.solutionHash, outputHash
                )
            ),
            signature
        );
        _setStatus(orderId, OrderStatus.Completed);
        TeeOffer storage tee = _teeOffers[terms.teeOfferId];
        tee.activeOrders -= 1;
        emit OrderCompleted(orderId, terms.enclave, outputHash, signature);
        _credit(tee.provider, terms.teePrice);
        if (terms.solutionPrice != 0) _credit(_solutionOffers[terms.solutionOfferId].owner, terms.solutionPrice);
        if (terms.dataPrice != 0) _credit(_dataOffers[terms.dataOfferId].owner, terms.dataPrice);
        if (terms.fee != 0) _credit(feeReceiver, terms.fee);
    }

    /**
     * @dev Reverts unless, before the deadline, `signature` over the EIP-712 struct `structHash`
     * is by the order's enclave, which is active and runs an allowed measurement (the one the
     * solution offer requires, if any).
     */
    function _requireEnclaveSignature(
        uint256 orderId,
        OrderTerms calldata terms,
        bytes32 structHash,
        bytes calldata signature
    ) private view {
        if (block.timestamp > terms.deadline) revert DeadlinePassed(orderId, terms.deadline);
        if (!isEnclaveActive(terms.enclave)) revert EnclaveNotActive(terms.enclave);
        bytes32 measurement = _enclaves[terms.enclave].measurement;
        if (!isMeasurementAllowed(measurement)) revert MeasurementNotAllowed(measurement);
        if (terms.solutionOfferId != 0) {
            bytes32 required = _solutionOffers[terms.solutionOfferId].requiredMeasurement;
            if (required != bytes32(0) && required != measurement) revert MeasurementNotAllowed(measurement);
        }
        (address recovered, ECDSA.RecoverError recoverError,) =
            ECDSA.tryRecoverCalldata(_hashTypedDataV4(structHash), signature);
        if (recoverError != ECDSA.RecoverError.NoError || recovered != terms.enclave) {
            revert InvalidReceiptSigner(recovered, terms.enclave);
        }
    }

    function _checkSolutionOffer(OrderParams calldata params, uint8 hardware) private view returns (uint96 price) {
        SolutionOffer storage solution = _solutionOffers[params.solutionOfferId];
        if (solution.owner == address(0)) revert OfferNotFound(params.solutionOfferId);
        if (!solution.active) revert SolutionOfferNotActive(params.solutionOfferId);
        if (solution.solutionHash != params.solutionHash) revert SolutionMismatch(solution.solutionHash, params.solutionHash);
        if (solution.hardwareMask & (uint8(1) << hardware) == 0) revert HardwareNotAllowed(hardware);
        if (solution.restrictTeeOffers && !solutionAllowsTeeOffer[params.solutionOfferId][params.teeOfferId]) {
            revert TeeOfferNotAllowed(params.teeOfferId);
        }
        return solution.price;
    }

    function _checkDataOffer(OrderParams calldata params) private view returns (uint96 price) {
        DataOffer storage data = _dataOffers[params.dataOfferId];
        if (data.owner == address(0)) revert OfferNotFound(params.dataOfferId);
        if (!data.active) revert DataOfferNotActive(params.dataOfferId);
        if (data.restrictSolutions && !dataAllowsSolutionOffer[params.dataOfferId][params.solutionOfferId]) {
            revert SolutionOfferNotAllowed(params.solutionOfferId);
        }
        if (data.restrictTeeOffers && !dataAllowsTeeOffer[params.dataOfferId][params.teeOfferId]) {
            revert TeeOfferNotAllowed(params.teeOfferId);
        }
        return data.price;
    }

    /// @dev Checks that the order with these terms exists and has status `expected`; returns its id.
    function _requireStatus(OrderTerms calldata terms, OrderStatus expected) private view returns (uint256 orderId) {
        orderId = orderIdOf(terms);
        OrderStatus status = _statuses[orderId];
        if (status == OrderStatus.None) revert OrderNotFound(orderId);
        if (status != expected) revert WrongOrderStatus(orderId, status);
    }

    function _setStatus(uint256 orderId, OrderStatus status) private {
        _statuses[orderId] = status;
    }

    function _total(OrderTerms calldata terms) private pure returns (uint256) {
        return uint256(terms.teePrice) + terms.solutionPrice + terms.dataPrice + terms.fee;
    }
}
