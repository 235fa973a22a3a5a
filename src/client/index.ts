// The BOCC SDK: what other TypeScript projects import (`bocc/client`). See docs/sdk.md.

export type { Check } from '../attestation/checks.ts'
export type { AttestationPolicy } from '../attestation/policy.ts'
export { type Deployment, readDeployment } from '../chain/deployment.ts'
export { type KeyFile, readKeyFile, writeKeyFile } from '../chain/keyFile.ts'
export { BoccError } from '../errors.ts'
export { formatOrderId, parseOrderId } from '../protocol/orderTerms.ts'
export { formatTokenAmount, parseTokenAmount } from './amounts.ts'
export type { OrderAudit } from './auditOrder.ts'
export { InputRefusedError } from './checkSolutionLimits.ts'
export { NoSuitableOfferError } from './chooseOffers.ts'
export {
  type AccountBalance,
  type BoccClient,
  type CreateBoccClientParameters,
  createBoccClient,
  NoAccountError,
  NoBlobStoreError,
  NotYourOrderError,
} from './createBoccClient.ts'
export { type CustomerPolicy, readPolicyFile } from './customerPolicy.ts'
export type { InputSource } from './encryptInput.ts'
export { ResultUnreadableError } from './fetchResult.ts'
export { connectLease } from './leases/connectLease.ts'
export {
  type ContestLeaseParameters,
  type ContestLeaseReturnType,
  contestLease,
  NothingToContestError,
  NoUsageRecordError,
} from './leases/contestLease.ts'
export {
  createLeaseClient,
  EnclaveRefusedError,
  type LeaseClient,
  LeaseEndedError,
  LeaseEndpointError,
} from './leases/createLeaseClient.ts'
export { createLeaseFetch } from './leases/createLeaseFetch.ts'
export { NoLeaseEndpointError } from './leases/findLeaseEndpoint.ts'
export {
  getCustomerLease,
  LeaseNotFoundError,
  NotYourLeaseError,
} from './leases/getCustomerLease.ts'
export { startLeaseProxy } from './leases/startLeaseProxy.ts'
export type { OfferKind, OfferListing } from './listOffers.ts'
export type { OrderJobParameters, PlacedJob } from './orderJob.ts'
export type { ProgressEvent, ProgressListener } from './progress.ts'
export type { PublishedData } from './publishData.ts'
export type { PublishedSolution } from './publishSolution.ts'
export {
  OrderNotCompletedError,
  type OrderRecord,
  UnknownOrderError,
} from './readOrder.ts'
export { InsufficientFundsError } from './reserveFunds.ts'
export { ResultKeyMissingError } from './resultKeyStore.ts'
