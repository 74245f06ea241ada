/**
 * One author of a benchmark bus: `node bus-writer.js DIR N` makes a data dir (its own identity) and
 * signs N memory.put entries of distinct keys into its bus, 64 in flight; prints {"entries", "ms"} on
 * stdout when done. bus-scale runs one per core and merges their chains into the node's store.
 */
import { execFileSync } from 'node:child_process'
import { encodeJsonBody, openBus } from '@smesh/bus'
import { loadOrCreateIdentity } from '@smesh/identity'
import { SMESH_BIN } from '../src/harness/smesh-process.js'
import { closedLoop } from './bus-common.js'

const [dir, count] = process.argv.slice(2)
if (dir == null || count == null) throw new Error('usage: bus-writer.js DIR N')
execFileSync(SMESH_BIN, ['init', '--data-dir', dir, '--name', 'writer'])
const bus = await openBus(dir, await loadOrCreateIdentity(dir))
const value = 'x'.repeat(100)
const tag = bus.authorHex.slice(0, 8)
const done = await closedLoop(64, { count: Number(count) }, async i => await bus.append('memory.put', encodeJsonBody({ key: `bench/${tag}/k${i}`, value })))
await bus.close()
process.stdout.write(JSON.stringify({ entries: done.ops, ms: done.ms }) + '\n')
