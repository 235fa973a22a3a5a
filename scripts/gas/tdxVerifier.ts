// The gas of on-chain TDX quote verification: a fresh local chain, the verifier deployed with
// Intel's root, the P-TDX collateral of the shared vectors posted, then one real quote verified.
// Figures are gasUsed of mined transactions (base cost and calldata included).

import { describeCollateralPosting } from '../../src/chain/actions/tdx/describeCollateralPosting.ts'
import { sendTdxQuoteVerification } from '../../src/chain/actions/tdx/sendTdxQuoteVerification.ts'
import { evidenceVector } from '../../test/attestationVectors.ts'
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

// `node scripts/gas/tdxVerifier.ts` prints the figures in detail.
if (import.meta.main) console.log(JSON.stringify(await measureTdxVerifierGasInDetail(), null, 2))
