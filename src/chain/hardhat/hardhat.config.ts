// The configuration `startLocalChain({ node: 'hardhat' })` runs `hardhat node` with: Hardhat's EDR
// simulated chain on osaka (which serves the P-256 precompile at 0x100), chain id 31337 and the
// well-known dev accounts, like anvil. The launcher passes the block interval and a scratch
// directory for Hardhat's artifacts and cache, so nothing is written into the checkout.
const blockTimeMs = Number(process.env.BOCC_HARDHAT_BLOCK_TIME_MS ?? '0')
const scratch = process.env.BOCC_HARDHAT_DIR ?? 'hardhat-scratch'

export default {
  networks: {
    node: {
      type: 'edr-simulated',
      chainType: 'l1',
      chainId: 31337,
      hardfork: 'osaka',
      mining: blockTimeMs > 0 ? { auto: false, interval: blockTimeMs } : { auto: true },
      // Automine makes a block per transaction; without this each would be a second later than
      // the last, and the chain's clock would run ahead of the wall clock (anvil keeps them equal).
      allowBlocksWithSameTimestamp: true,
    },
  },
  paths: { artifacts: `${scratch}/artifacts`, cache: `${scratch}/cache` },
}
