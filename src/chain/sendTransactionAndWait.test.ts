import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type Hash, parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { connectSigner, type SignerConnection } from './connectChain.ts'
import { devPrivateKey } from './devAccounts.ts'
import { sendTransactionAndWait, TransactionReplacedError } from './sendTransactionAndWait.ts'
import { type LocalChain, startLocalChain } from './startLocalChain.ts'

// A chain that mines every second, as a public network does, never on each transaction.
describe('sendTransactionAndWait on a chain with 1 s blocks', () => {
  let chain: LocalChain
  let sender: SignerConnection
  const recipient = privateKeyToAccount(devPrivateKey(8)).address
  const drop = (hash: Hash) =>
    sender.publicClient.request({ method: 'anvil_dropTransaction', params: [hash] } as never)

  before(async () => {
    chain = await startLocalChain({ node: 'anvil', blockTime: 1 })
    sender = await connectSigner(chain.rpcUrl, devPrivateKey(9))
  })
  after(() => chain.stop())

  test('waits for the confirmations asked for', async () => {
    const { receipt } = await sendTransactionAndWait(sender, {
      to: recipient,
      data: '0x',
      value: parseEther('1'),
      confirmations: 3,
    })
    assert.equal(receipt.status, 'success')
    const head = await sender.publicClient.getBlockNumber({ cacheTime: 0 })
    assert.ok(head >= receipt.blockNumber + 2n, `head ${head}, mined in ${receipt.blockNumber}`)
  })

  test('sends a dropped transaction again, same nonce, higher fees', async () => {
    const sent: { hash: Hash; nonce: number }[] = []
    const { hash, receipt } = await sendTransactionAndWait(sender, {
      to: recipient,
      data: '0x',
      value: 1n,
      resendAfterMs: 1_500,
      async onSent(transaction) {
        sent.push(transaction)
        if (sent.length === 1) await drop(transaction.hash)
      },
    })
    assert.equal(sent.length, 2)
    assert.equal(sent[0]?.nonce, sent[1]?.nonce)
    assert.equal(hash, sent[1]?.hash)
    assert.equal(receipt.status, 'success')
    await assert.rejects(sender.publicClient.getTransaction({ hash: sent[0]?.hash as Hash }))
    const mined = await sender.publicClient.getTransaction({ hash })
    assert.equal(mined.nonce, sent[0]?.nonce)
  })

  test('reports a nonce another transaction took, never success', async () => {
    const other = await connectSigner(chain.rpcUrl, devPrivateKey(9))
    await assert.rejects(
      sendTransactionAndWait(sender, {
        to: recipient,
        data: '0x',
        value: 2n,
        resendAfterMs: 60_000,
        async onSent({ hash, nonce }) {
          // Another wallet of the same account spends the nonce on something else.
          await drop(hash)
          await other.walletClient.sendTransaction({ to: other.account.address, value: 0n, nonce })
        },
      }),
      TransactionReplacedError,
    )
  })
})
