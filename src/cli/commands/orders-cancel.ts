import { orderExit } from '../orderExit.ts'

export const { define, run } = orderExit('cancel')
