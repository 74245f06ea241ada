import { FaultLab } from '../src/harness/fault-lab.js'
import { lossyRow, messyRow, multicastRow, partitionRow, stopContRow } from '../src/harness/fault-rows.js'
import { killCycles } from '../src/harness/kill-cycles.js'
import { fuzzDecoders } from '../src/harness/fuzz.js'

const progress = (s: string): void => { process.stderr.write(`faults: ${s}\n`) }

/**
 * The long runs of the reliability matrix (RELIABILITY.md): the network
 * rows on a LAN of five behind the faulty switch, for `seconds` each (row 2
 * at several write rates: where the pass figure stops holding), then the
 * kill cycles.
 */
export async function benchFaults (o: { seconds: number, killCycles: number, rates: number[] }): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {}
  const ms = o.seconds * 1000
  const lab = await FaultLab.start(5)
  try {
    progress(`row 1: partition 2/3 for ${o.seconds} s`)
    out['1-partition'] = await partitionRow(lab, ms)
    for (const rate of o.rates) {
      progress(`row 2: 200 +- 50 ms, 20 % loss, ${rate} entries/s a node, ${o.seconds} s`)
      out[`2-lossy-${rate}-per-node`] = await lossyRow(lab, ms, rate)
    }
    progress(`row 3: duplicated, reordered, corrupted for ${o.seconds} s`)
    out['3-messy'] = await messyRow(lab, ms)
    progress(`row 4: 30 % multicast loss for ${o.seconds} s`)
    out['4-multicast'] = await multicastRow(lab, ms)
    progress('row 9: SIGSTOP 30 s')
    out['9-sigstop'] = await stopContRow(lab, 30_000)
  } finally {
    await lab.stop()
  }
  progress(`row 5: ${o.killCycles} kill cycles`)
  out['5-kill'] = await killCycles(o.killCycles, { onProgress: (n) => { if (n % 100 === 0) progress(`row 5: ${n} cycles`) } })
  return out
}

/** Row 12, long: every decoder fed `inputs` random and mutated inputs. */
export async function benchFuzz (inputs: number): Promise<Record<string, unknown>> {
  return await fuzzDecoders(inputs, { seed: 42, onProgress: (d) => { progress(`row 12: ${d}`) } }) as unknown as Record<string, unknown>
}
