import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Lan } from '../src/harness/lan.js'
import { SmeshProcess, waitFor } from '../src/harness/smesh-process.js'
import { progress, summarize } from './stats.js'

interface PruneLog { event?: string, peerId?: string, silentMs?: number, time?: number }

async function pruneEvents (p: SmeshProcess, peerId: string): Promise<PruneLog[]> {
  const text = await readFile(join(p.dataDir, 'logs', 'smesh.log'), 'utf8')
  return text.split('\n').filter(l => l.includes('"peer:prune"')).map(l => JSON.parse(l) as PruneLog).filter(e => e.peerId === peerId)
}

/**
 * Prune delay after a silent cut (the bridge port of one host goes down, no
 * FIN): per observer, the silence it measured at the moment it pruned (time
 * since the last beacon heard; goal 20 s ± 1 s), and the wall time from the cut.
 */
export async function benchPrune (reps: number): Promise<Record<string, unknown>> {
  progress(`prune: 3 nodes, ${reps} silent cuts (about 25 s each)`)
  const lan = await Lan.create(3)
  const nodes: SmeshProcess[] = []
  try {
    // one mesh: the first node makes it (smesh init), the others join it with a token from the first
    for (let i = 0; i < 3; i++) nodes.push(await SmeshProcess.start({ ns: lan.hosts[i]!.ns, name: `p${i}`, join: i === 0 ? undefined : await nodes[0]!.invite() }))
    const [a, b, c] = nodes as [SmeshProcess, SmeshProcess, SmeshProcess]
    const cId = (await c.id()).peerId
    const silent: number[] = []
    const fromCut: number[] = []
    const rediscover: number[] = []
    for (let r = 0; r < reps; r++) {
      await Promise.all([a, b].map(async p => { await waitFor(async () => (await p.peers()).some(x => x.peerId === cId && x.connected), { timeoutMs: 20_000, what: 'c listed and connected' }) }))
      await new Promise(resolve => setTimeout(resolve, 2_000 + Math.random() * 3_000)) // random phase against the beacons
      const before = await Promise.all([a, b].map(async p => (await pruneEvents(p, cId)).length))
      const cutAt = Date.now()
      await lan.cut(lan.hosts[2]!)
      for (const [i, p] of [a, b].entries()) {
        const ev = await waitFor(async () => { const evs = await pruneEvents(p, cId); return evs.length > (before[i] ?? 0) && evs[evs.length - 1] }, { timeoutMs: 30_000, intervalMs: 50, what: 'a prune event' })
        silent.push(ev.silentMs ?? NaN)
        fromCut.push((ev.time ?? NaN) - cutAt)
      }
      const restoredAt = Date.now()
      await lan.restore(lan.hosts[2]!)
      for (const p of [a, b]) {
        await waitFor(async () => (await p.peers()).some(x => x.peerId === cId), { timeoutMs: 15_000, intervalMs: 20, what: 'rediscovery' })
        rediscover.push(Date.now() - restoredAt)
      }
    }
    return { silenceAtPruneMs: summarize(silent), cutToPruneMs: summarize(fromCut), restoreToRediscoveredMs: summarize(rediscover) }
  } finally {
    await Promise.all(nodes.map(async p => { await p.stop() }))
    await lan.destroy()
  }
}
