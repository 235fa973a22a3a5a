import { parseEther } from 'viem'
import { transferToken } from '../../src/chain/actions/token/transferToken.ts'
import { useFaucet } from '../../src/chain/actions/token/useFaucet.ts'
import { connectBoccSigner } from '../../src/chain/boccChain.ts'
import { connectSigner } from '../../src/chain/connectChain.ts'
import { deployContracts } from '../../src/chain/deployContracts.ts'
import { devPrivateKey, devRoles } from '../../src/chain/devAccounts.ts'
import { startLocalChain } from '../../src/chain/startLocalChain.ts'
import type { FigureContext, FigureReport } from '../report.ts'
import { summarize, timeMs } from '../summary.ts'

/**
 * Plain ERC-20 transfers per second against a local node: the chain's own pace, which orders per
 * second are compared with. Orders per second need the trivial WASM job, not there yet.
 */
export async function measureTransfers(context: FigureContext): Promise<FigureReport> {
  const chain = await startLocalChain()
  try {
    const deployer = await connectSigner(chain.rpcUrl, devPrivateKey(devRoles.deployer))
    const deployment = await deployContracts(deployer, {
      genesisMeasurements: [],
      committee: [deployer.account.address],
      committeeThreshold: 1,
      governanceOwners: [deployer.account.address, `0x${'11'.repeat(20)}`],
      governanceThreshold: 2,
    })
    const sender = await connectBoccSigner(deployment, devPrivateKey(devRoles.customer))
    await useFaucet(sender, { amount: parseEther('1000') })
    const count = context.mode === 'smoke' ? 10 : 200
    const rates: number[] = []
    for (let round = 0; round < (context.mode === 'smoke' ? 1 : 3); round++) {
      const ms = await timeMs(() =>
        Promise.all(
          Array.from({ length: count }, () =>
            transferToken(sender, { to: deployer.account.address, amount: 1n }),
          ),
        ),
      )
      rates.push(count / (ms / 1000))
    }
    const transfers = summarize(rates, 1)
    context.log(`  ERC-20 transfers: ${transfers.median} per second`)
    const wasm =
      'needs the trivial WASM job of the enclave runtime issue (the wasm runner), not merged yet'
    return {
      values: {
        erc20_transfers_per_s: transfers.median,
        orders_per_s: null,
        orders_per_s_vs_transfers_ratio: null,
        order_latency_ms_p50: null,
        order_latency_ms_p95: null,
      },
      summaries: { erc20_transfers_per_s: transfers },
      notes: {
        erc20_transfers_per_s: `${count} transfers sent at once from one account (nonces managed by the client), automine`,
        orders_per_s: wasm,
        orders_per_s_vs_transfers_ratio: wasm,
        order_latency_ms_p50: wasm,
        order_latency_ms_p95: wasm,
      },
    }
  } finally {
    await chain.stop()
  }
}
