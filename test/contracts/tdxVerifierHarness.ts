/**
 * Test support for the on-chain TDX verifier: a local anvil whose clock a test sets, the
 * verifier deployed on it, and collateral from the shared vectors (never copied into the repo).
 */
import assert from 'node:assert/strict'
import { createTestClient, http } from 'viem'
import {
  type IntelCollateral,
  readIntelCollateral,
} from '../../src/attestation/intel/collateral.ts'
import { parseIntelQuote } from '../../src/attestation/intel/quote.ts'
import { readCertificates } from '../../src/attestation/x509/certificates.ts'
import {
  type DeployTdxQuoteVerifierParameters,
  type DeployTdxQuoteVerifierReturnType,
  deployTdxQuoteVerifier,
} from '../../src/chain/actions/tdx/deployTdxQuoteVerifier.ts'
import { postTdxCollateral } from '../../src/chain/actions/tdx/postTdxCollateral.ts'
import { connectSigner, type SignerConnection } from '../../src/chain/connectChain.ts'
import { devPrivateKey, devRoles } from '../../src/chain/devAccounts.ts'
import { type LocalChain, startLocalChain } from '../../src/chain/startLocalChain.ts'
import { TransactionRevertedError } from '../../src/chain/writeContractAndWait.ts'
import { type CollateralSetName, collateralSet } from '../attestationVectors.ts'
import type { FakeIntelPki } from '../fakeIntelPki.ts'

export type TdxChain = {
  chain: LocalChain
  signer: SignerConnection
  /** Sets the chain's clock and mines a block at exactly that time. */
  setTime(at: Date | string): Promise<void>
  deploy(parameters?: DeployTdxQuoteVerifierParameters): Promise<DeployTdxQuoteVerifierReturnType>
  stop(): Promise<void>
}

export async function startTdxChain(): Promise<TdxChain> {
  const chain = await startLocalChain()
  const signer = await connectSigner(chain.rpcUrl, devPrivateKey(devRoles.deployer))
  const testClient = createTestClient({ mode: 'anvil', transport: http(chain.rpcUrl) })
  return {
    chain,
    signer,
    async setTime(at) {
      const seconds = Math.floor(new Date(at).getTime() / 1000)
      await testClient.request({ method: 'anvil_setTime', params: [seconds] } as never)
      await testClient.mine({ blocks: 1 })
    },
    deploy: (parameters) => deployTdxQuoteVerifier(signer, parameters),
    stop: () => chain.stop(),
  }
}

/** The certificates a quote carries (PCK, PCK CA, root). */
export function pckChainOf(quote: Uint8Array) {
  return readCertificates(parseIntelQuote(quote).pckCertificateChainPem)
}

/** A collateral set of MANIFEST.md, with the PCK CA and root the quote carries. */
export function vectorCollateral(set: CollateralSetName, quote: Uint8Array): IntelCollateral {
  const collateral = readIntelCollateral(collateralSet(set))
  return {
    ...collateral,
    certificates: [...collateral.certificates, ...pckChainOf(quote).slice(1)],
  }
}

/** Deploys a verifier and posts a collateral set at time `at`. */
export async function deployWithCollateral(
  tdx: TdxChain,
  collateral: IntelCollateral,
  at: Date | string,
  parameters?: DeployTdxQuoteVerifierParameters,
) {
  await tdx.setTime(at)
  const deployment = await tdx.deploy(parameters)
  const posted = await postTdxCollateral(tdx.signer, { store: deployment.store, collateral })
  return { ...deployment, posted }
}

/** `promise` must fail with the contract's custom error `errorName`. */
export async function expectRevert(promise: Promise<unknown>, errorName: string): Promise<void> {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof TransactionRevertedError, String(error))
    assert.equal(error.errorName, errorName, error.shortMessage)
    return true
  })
}

/**
 * Deploys a verifier whose root is a stand-in PKI's and posts `collateral` (by default the
 * PKI's own) with the PCK CA its quote carries, at time `at`.
 */
export function deployUnderStandIn(
  tdx: TdxChain,
  pki: FakeIntelPki,
  at: Date | string,
  collateral: IntelCollateral = pki.collateral,
) {
  return deployWithCollateral(
    tdx,
    {
      ...collateral,
      certificates: [...collateral.certificates, ...pckChainOf(pki.quote).slice(1)],
    },
    at,
    { standInRootCertificate: new Uint8Array(pki.root.rawData) },
  )
}
