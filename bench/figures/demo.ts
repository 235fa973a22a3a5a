import { spawn } from 'node:child_process'
import type { FigureContext, FigureReport } from '../report.ts'
import { summarize, timeMs } from '../summary.ts'

/** `npm run demo` wall time: the demo command run as a user runs it. */
export async function measureDemo(context: FigureContext): Promise<FigureReport> {
  const runs = context.mode === 'smoke' ? 1 : 3
  const times: number[] = []
  for (let i = 0; i < runs; i++)
    times.push(
      (await timeMs(
        () =>
          new Promise<void>((resolve, reject) => {
            const child = spawn(process.execPath, ['src/cli/bocc.ts', 'demo'], { stdio: 'ignore' })
            child.once('exit', (code) =>
              code === 0 ? resolve() : reject(new Error(`demo exited ${code}`)),
            )
          }),
      )) / 1000,
    )
  const demo = summarize(times, 2)
  context.log(`  demo: ${demo.median} s`)
  return {
    values: { demo_s: demo.median },
    summaries: { demo_s: demo },
    notes: { demo_s: 'node src/cli/bocc.ts demo, start to exit, the machine otherwise idle' },
  }
}
