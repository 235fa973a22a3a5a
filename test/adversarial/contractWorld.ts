import { type Address, parseEther } from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'
import { getOrderState } from '../../src/chain/actions/market/getOrderState.ts'
import { refundOrder } from '../../src/chain/actions/market/refundOrder.ts'
import { type Order, startMarket } from '../contracts/marketFixture.ts'
import { marketLedger } from '../support/marketLedger.ts'

/**
 * The market's contracts alone on their own anvil (the fixture of test/contracts), where the
 * attacker may hold an enclave key and move the chain's clock: for the attacks that need a
 * provider who signs what it likes, a committee member, or governance. Every order made here is
 * tracked, so that at the end none is left open and every token is accounted for.
 */
export async function startContractWorld() {
  const m = await startMarket()
  const orders: Order[] = []
  const track = <order extends Order>(order: order) => {
    orders.push(order)
    return order
  }
  const accounts: Address[] = [
    ...Object.values(m.dev.signers).map((signer) => signer.account.address),
    m.dev.deployment.contracts.timelock,
  ]
  return {
    m,
    orders,
    /** The committee as the attacks left it (A-23 makes it 2 of 3). */
    committee: undefined as { members: PrivateKeyAccount[]; threshold: number } | undefined,
    /** Creates an order (fixture defaults: accept within 2 min, deliver within 12). */
    create: async (overrides: Record<string, unknown> = {}, signer = m.dev.signers.customer) =>
      track(await m.create(overrides, signer)),
    /** Creates an order and accepts it as the fixture's provider. */
    async accepted(overrides: Record<string, unknown> = {}) {
      const order = track(await m.create(overrides))
      await m.h.send(m.dev.signers.provider, 'acceptOrder', [order.terms])
      return order
    },
    /** Tokens held and accounted for. */
    ledger: () => marketLedger(m.dev.signers.deployer, { accounts, orders }),
    /** Ends every order still open by the rules (time moves past every deadline and window). */
    async settle(): Promise<void> {
      await m.dev.increaseTime(3 * 86_400)
      for (const order of orders) {
        const { status } = await getOrderState(m.dev.signers.deployer, order)
        if (status === 'created' || status === 'accepted' || status === 'challenged')
          await refundOrder(m.dev.signers.stranger, { terms: order.terms })
      }
    },
    /** Orders still open (after `settle`: stuck). */
    async open(): Promise<Order[]> {
      const found: Order[] = []
      for (const order of orders) {
        const { status } = await getOrderState(m.dev.signers.deployer, order)
        if (status === 'created' || status === 'accepted' || status === 'challenged')
          found.push(order)
      }
      return found
    },
    fund: (amount = parseEther('1000')) => m.h.approve(m.dev.signers.provider, amount),
    stop: () => m.dev.stop(),
  }
}

export type ContractWorld = Awaited<ReturnType<typeof startContractWorld>>
