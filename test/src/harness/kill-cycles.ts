import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { openBus, verifyStore } from '@smesh/bus'
import { loadOrCreateIdentity } from '@smesh/identity'
import { onCleanup } from './cleanup.js'
import { tempDir } from './tmp.js'

const WRITER = fileURLToPath(new URL('./kill-writer.js', import.meta.url))

export interface KillCycles {
  pass: boolean
  cycles: number
  acknowledged: number
  lost: number
  brokenChains: number
  selfForks: number
  /** Entries on disk beyond the last acknowledgement seen (written, the ack not yet out): kept, not lost. */
  unacknowledgedKept: number
  killAfterMs: { min: number, max: number }
  ms: number
}

/**
 * Matrix row 5: a writer process (real bus, real LevelDB, fsync'd
 * appends) killed with SIGKILL at a random point of a write burst, again
 * and again. After each kill the store is opened and checked: every
 * acknowledged entry is there with the hash that was acknowledged, every
 * chain verifies, the node never signed one seq twice.
 */
export async function killCycles (cycles: number, options: { maxKillMs?: number, onProgress?: (done: number) => void } = {}): Promise<KillCycles> {
  const dir = tempDir('smesh-kill')
  const started = Date.now()
  const acked = new Map<bigint, string>()
  let lost = 0
  let brokenChains = 0
  let selfForks = 0
  let unacknowledgedKept = 0
  const maxKillMs = options.maxKillMs ?? 400
  let minKill = Infinity
  let maxKill = 0
  for (let c = 0; c < cycles; c++) {
    const child = spawn(process.execPath, [WRITER, dir], { stdio: ['ignore', 'pipe', 'pipe'] })
    const unregister = onCleanup(() => { if (child.exitCode == null) child.kill('SIGKILL') })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr.on('data', (d: Buffer) => { err += d.toString() })
    const exited = new Promise<void>(resolve => child.once('exit', () => { resolve() }))
    await new Promise<void>((resolve, reject) => {
      const check = setInterval(() => {
        if (out.includes('ready')) { clearInterval(check); resolve() }
        if (child.exitCode != null) { clearInterval(check); reject(new Error(`the writer exited: ${err}`)) }
      }, 2)
    })
    // the first cycle writes a little before any kill: a store with the node's chain (a node whose store was lost waits for a peer)
    const killAfter = c === 0 ? 300 : Math.random() * maxKillMs
    minKill = Math.min(minKill, killAfter)
    maxKill = Math.max(maxKill, killAfter)
    await new Promise(resolve => setTimeout(resolve, killAfter))
    child.kill('SIGKILL')
    await exited
    unregister()
    for (const line of out.split('\n')) {
      const m = /^ack (\d+) ([0-9a-f]{64})$/.exec(line)
      if (m == null) continue
      const seq = BigInt(m[1] as string)
      const known = acked.get(seq)
      // one seq acknowledged with two hashes: the node signed it twice
      if (known != null && known !== m[2]) selfForks++
      acked.set(seq, m[2] as string)
    }
    const bus = await openBus(dir, await loadOrCreateIdentity(dir))
    try {
      const head = bus.head(bus.authorHex)
      const report = await verifyStore(bus)
      if (!report.ok) brokenChains++
      if ((await bus.store.forks()).length > 0) selfForks++
      const headSeq = head?.seq ?? 0n
      let maxAcked = 0n
      for (const [seq, hash] of acked) {
        if (seq > maxAcked) maxAcked = seq
        if (seq > headSeq) { lost++; continue }
        if (await bus.store.hashAt(bus.authorHex, seq) !== hash) lost++
      }
      if (headSeq > maxAcked) unacknowledgedKept += Number(headSeq - maxAcked)
    } finally {
      await bus.close()
    }
    options.onProgress?.(c + 1)
  }
  const acknowledged = acked.size
  return { pass: lost === 0 && brokenChains === 0 && selfForks === 0, cycles, acknowledged, lost, brokenChains, selfForks, unacknowledgedKept, killAfterMs: { min: Math.round(minKill), max: Math.round(maxKill) }, ms: Date.now() - started }
}
