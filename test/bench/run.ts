import { cpus, release } from 'node:os'
import { parseArgs } from 'node:util'
import { netnsUnavailable } from '../src/harness/exec.js'
import { benchDiscovery } from './discovery.js'
import { benchIdle } from './idle.js'
import { benchPrune } from './prune.js'

/**
 * Runs the benchmarks and prints one JSON object on stdout.
 *   npm run bench                         # all
 *   npm run bench -- --only discovery --reps 5
 */
const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    reps: { type: 'string', default: '5' },
    'prune-reps': { type: 'string', default: '3' },
    'idle-seconds': { type: 'string', default: '60' }
  }
})
const why = netnsUnavailable()
if (why != null) {
  process.stderr.write(`smesh bench: ${why}\n`)
  process.exit(1)
}
const only = new Set((values.only ?? 'discovery,prune,idle').split(','))
const results: Record<string, unknown> = {}
if (only.has('discovery')) results.discovery = await benchDiscovery([3, 5, 8], Number(values.reps))
if (only.has('prune')) results.prune = await benchPrune(Number(values['prune-reps']))
if (only.has('idle')) results.idle = await benchIdle(3, Number(values['idle-seconds']))
process.stdout.write(JSON.stringify({
  date: new Date().toISOString(),
  machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, kernel: release() },
  results
}, null, 2) + '\n')
