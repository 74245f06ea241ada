/**
 * A writer for the kill-cycle row: opens the bus of DATA_DIR (real LevelDB,
 * real ML-DSA signatures, the node's own identity), prints "ready", then
 * appends memory entries as fast as it can, WRITER_INFLIGHT at a time,
 * printing "ack SEQ HASH" for each the bus acknowledged (on disk, fsync),
 * until it is killed.
 */
import { loadOrCreateIdentity } from '@smesh/identity'
import { encodeJsonBody, openBus } from '@smesh/bus'

const dir = process.argv[2] as string
const inflight = Number(process.env.WRITER_INFLIGHT ?? '4')
const identity = await loadOrCreateIdentity(dir)
const bus = await openBus(dir, identity)
process.stdout.write('ready\n')
let n = 0
async function writer (): Promise<void> {
  while (true) {
    const e = await bus.append('memory.put', encodeJsonBody({ key: `kill/${process.pid}/${n++}`, value: n }))
    process.stdout.write(`ack ${e.seq} ${e.hashHex}\n`)
  }
}
await Promise.all(Array.from({ length: inflight }, async () => { await writer() }))
