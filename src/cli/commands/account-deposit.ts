import { accountTransfer } from '../accountTransfer.ts'

export const { define, run } = accountTransfer('deposit')
