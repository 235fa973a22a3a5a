// The gas of on-chain TDX quote verification: a fresh local chain, the verifier deployed with
// Intel's root, the P-TDX collateral of the shared vectors posted, then one real quote verified.
// Figures are gasUsed of mined transactions (base cost and calldata included).

import { parseEther } from 'viem'
import { getTdxVerification } from '../../src/chain/actions/registry/getTdxVerification.ts'
import { reattestTdxEnclave } from '../../src/chain/actions/registry/reattestTdxEnclave.ts'
import { registerTdxEnclave } from '../../src/chain/actions/registry/registerTdxEnclave.ts'
import { describeCollateralPosting } from '../../src/chain/actions/tdx/describeCollateralPosting.ts'
import { postTdxCollateral } from '../../src/chain/actions/tdx/postTdxCollateral.ts'
import { sendTdxQuoteVerification } from '../../src/chain/actions/tdx/sendTdxQuoteVerification.ts'
import { measureRuntime } from '../../src/enclave/measureRuntime.ts'
import { evidenceVector } from '../../test/attestationVectors.ts'
import { startMarket } from '../../test/contracts/marketFixture.ts'
import {
  createTdxRegistrationFixture,
  quoteTdxEnclave,
} from '../../test/contracts/tdxRegistrationFixture.ts'
import {
  deployWithCollateral,
  startTdxChain,
  vectorCollateral,
} from '../../test/contracts/tdxVerifierHarness.ts'

export type TdxVerifierGas = {
  /** One real TDX v4 quote (phala-dcap-qvl/tdx_quote, 4,936 bytes), the first after the collateral. */
  verifyTdxQuote: number
  /** The whole P-TDX collateral: two certificates, root and PCK CRLs, QE identity, TCB info. */
  postTdxCollateral: number
}

export type TdxVerifierGasInDetail = TdxVerifierGas & {
  /** Each transaction of `postTdxCollateral`, named by what the store kept. */
  postTdxCollateralParts: Record<string, number>
  /** Deploying the parser, the store and the verifier. */
  deployTdxQuoteVerifier: number
}

/** The two figures `npm run gas` records. */
export async function measureTdxVerifierGas(): Promise<TdxVerifierGas> {
  const { verifyTdxQuote, postTdxCollateral } = await measureTdxVerifierGasInDetail()
  return { verifyTdxQuote, postTdxCollateral }
}

/** The same run, with the cost of each posting transaction and of the deployment. */
export async function measureTdxVerifierGasInDetail(): Promise<TdxVerifierGasInDetail> {
  const tdx = await startTdxChain()
  try {
    const quote = evidenceVector('phala-dcap-qvl/tdx_quote')
    const deployment = await deployWithCollateral(
      tdx,
      vectorCollateral('P-TDX', quote),
      '2025-06-20T00:00:00Z',
    )
    const { receipt } = await sendTdxQuoteVerification(tdx.signer, {
      verifier: deployment.verifier,
      quote,
    })
    const parts: Record<string, number> = {}
    for (const posted of deployment.posted.receipts) {
      parts[describeCollateralPosting(posted.logs)] = Number(posted.gasUsed)
    }
    return {
      verifyTdxQuote: Number(receipt.gasUsed),
      postTdxCollateral: Number(deployment.posted.gasUsed),
      postTdxCollateralParts: parts,
      deployTdxQuoteVerifier: deployment.receipts.reduce((sum, r) => sum + Number(r.gasUsed), 0),
    }
  } finally {
    await tdx.stop()
  }
}

export type TdxRegistrationGas = {
  /** `registerTdxEnclave`: the quote verified on-chain, binding, measurement and freshness checked, platform bound, record written. */
  registerTdxEnclave: number
  /** `reattestTdxEnclave`: a fresh quote of the same enclave verified, its platform TCB replaced. */
  reattestTdxEnclave: number
  /** `createOrder` and `acceptOrder` on an enclave verified on-chain: each judges its platform's TCB status under the stored collateral. */
  create_on_verified_tdx: number
  accept_on_verified_tdx: number
}

/**
 * Registration by on-chain verification, on a development deployment whose TDX root is the tests'
 * stand-in Intel PKI (real quotes cannot bind keys made here): the tdx_quote vector re-issued with
 * a report_data that binds fresh keys, under the P-TDX collateral re-signed and re-dated.
 */
export async function measureTdxRegistrationGas(): Promise<TdxRegistrationGas> {
  const fixture = await createTdxRegistrationFixture(Math.floor(Date.now() / 1000))
  const m = await startMarket({
    genesisMeasurements: [measureRuntime(), fixture.measurement],
    tdxVerification: { standInRootCertificate: new Uint8Array(fixture.pki.root.rawData) },
  })
  try {
    const { provider, deployer } = m.dev.signers
    const verification = await getTdxVerification(deployer)
    if (!verification) throw new Error('the development deployment has no TDX verifier')
    await postTdxCollateral(deployer, { store: verification.store, collateral: fixture.collateral })
    const enclave = await quoteTdxEnclave(fixture, provider)
    const registered = await registerTdxEnclave(provider, enclave)
    const reattested = await reattestTdxEnclave(
      provider,
      await quoteTdxEnclave(fixture, provider, { of: enclave }),
    )
    const teeOfferId = await m.newTeeOffer(provider, parseEther('3'), 10, 1)
    const onTdx = { enclave: enclave.key.address, teeOfferId }
    await m.accepted(onTdx)
    const { receipt: created } = await m.h.send(m.dev.signers.customer, 'createOrder', [
      await m.params(onTdx),
    ])
    const order = m.h.orderFrom(created.logs)
    const { receipt: accepted } = await m.h.send(provider, 'acceptOrder', [order.terms])
    return {
      registerTdxEnclave: Number(registered.receipt.gasUsed),
      reattestTdxEnclave: Number(reattested.receipt.gasUsed),
      create_on_verified_tdx: Number(created.gasUsed),
      accept_on_verified_tdx: Number(accepted.gasUsed),
    }
  } finally {
    await m.dev.stop()
  }
}

// `node scripts/gas/tdxVerifier.ts` prints the figures in detail.
if (import.meta.main)
  console.log(
    JSON.stringify(
      { ...(await measureTdxVerifierGasInDetail()), ...(await measureTdxRegistrationGas()) },
      null,
      2,
    ),
  )
