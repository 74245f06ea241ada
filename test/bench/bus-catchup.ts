import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createVerifier, decodeEntry, openBus, verifyEntrySignature } from '@smesh/bus'
import { loadOrCreateIdentity } from '@smesh/identity'
import { Lan } from '../src/harness/lan.js'
import { SmeshProcess, waitFor } from '../src/harness/smesh-process.js'
import { tempDir } from '../src/harness/tmp.js'
import { KIND, NodeApi, closedLoop, randomBodies, rateSync, round } from './bus-common.js'
import { joinedDataDir } from './discovery.js'
import { progress, summarize } from './stats.js'
import type { AuthorView, BusEntry } from '@smesh/bus'

export interface BusCatchupOptions {
  entries: number
  reps: number
  bodyBytes: number
  /** Length of the raw verify-rate measurement. */
  verifySeconds: number
}

interface SyncLog { event?: string, received?: number, ms?: number }

async function syncEvents (p: SmeshProcess): Promise<SyncLog[]> {
  const text = await readFile(join(p.dataDir, 'logs', 'smesh.log'), 'utf8').catch(() => '')
  return text.split('\n').filter(l => l.includes('"bus:sync"')).map(l => JSON.parse(l) as SyncLog)
}

/**
 * Catch-up: a node holding `entries` entries of one author (built in-process
 * on its data dir before it starts), and a fresh node with an empty data dir
 * started on another host of the namespace LAN (it finds the first by mDNS,
 * and dials it as the node that admitted it).
 * Time from the fresh node's libp2p start until its head of that author is
 * the writer's, against the raw per-entry ML-DSA-65 verify rate.
 *
 * Every node must now belong to the mesh: the source makes it (smesh init on
 * its data dir: its identity, the author of the entries, is the root admin),
 * and each fresh node joins it (`smesh join --no-start`) before its process
 * is spawned, so the join is not in the measured times. Each join adds one
 * admit entry to the source's chain, so the fresh node must reach the
 * source's head as it is after that join (entries + 1 per join so far). The
 * fresh node also dials the source directly (the node that admitted it),
 * besides finding it by mDNS.
 */
export async function benchBusCatchup (o: BusCatchupOptions): Promise<Record<string, unknown>> {
  progress(`bus-catchup: building a store of ${o.entries} entries (${o.bodyBytes}-byte bodies) in-process`)
  const srcDir = tempDir('smesh-bench-catchup')
  const identity = await loadOrCreateIdentity(srcDir)
  const bus = await openBus(srcDir, identity)
  const bodies = randomBodies(64, o.bodyBytes)
  let sample: BusEntry[]
  let head: { authorHex: string, seq: bigint, hashHex: string }
  let build: { ops: number, ms: number, perSec: number }
  let publicKey: Uint8Array
  try {
    build = await closedLoop(256, { count: o.entries }, async i => await bus.append(KIND, bodies[i % bodies.length] as Uint8Array))
    head = bus.head(bus.authorHex) ?? { authorHex: bus.authorHex, seq: 0n, hashHex: '' }
    sample = (await bus.range(bus.authorHex, 2n, 64)).map(decodeEntry)
    publicKey = (await bus.authorKey(bus.authorHex))?.publicKey ?? new Uint8Array(0)
  } finally {
    await bus.close()
  }
  const verifier = createVerifier(publicKey)
  const rawVerify = rateSync(o.verifySeconds, i => {
    if (!verifyEntrySignature(sample[i % sample.length] as BusEntry, verifier)) throw new Error('a sample entry does not verify')
  })
  progress(`bus-catchup: raw verify ${rawVerify.perSec}/s per entry; store built at ${build.perSec}/s`)

  const lan = await Lan.create(2)
  let source: SmeshProcess | undefined
  try {
    source = await SmeshProcess.start({ ns: lan.hosts[0]?.ns, dataDir: srcDir, name: 'source' })
    const srcApi = await NodeApi.open(source.dataDir)
    const held = (await srcApi.status()).entries
    srcApi.close()
    if (held !== o.entries) throw new Error(`the source node holds ${held} entries, not ${o.entries}`)
    const src = source
    const runs: Array<{ fromStartMs: number, fromSpawnMs: number, syncSessionMs: number | null, receivedBySync: number }> = []
    for (let r = 0; r < o.reps; r++) {
      const dataDir = await joinedDataDir(src, lan.hosts[1]?.ns, `fresh${r}`)
      // the join appended an admit entry to the source's chain: the head to reach is the source's now
      const target = (await src.heads()).find(h => h.author === head.authorHex)
      if (target == null || BigInt(target.seq) < head.seq) throw new Error('the source lost its chain')
      const fresh = await SmeshProcess.start({ ns: lan.hosts[1]?.ns, dataDir, name: `fresh${r}`, waitReady: false })
      let api: NodeApi | undefined
      try {
        await fresh.ready()
        api = await NodeApi.open(fresh.dataDir)
        const a = api
        await waitFor(async () => {
          const mine = (await a.get<AuthorView[]>('/v1/bus/heads')).find(h => h.author === head.authorHex)
          return mine?.seq === target.seq && mine.head === target.head
        }, { timeoutMs: 300_000, intervalMs: 50, what: 'the fresh node to hold the source\'s head' })
        const doneAt = Date.now()
        const st = await fresh.status()
        const logged = await waitFor(async () => { const evs = (await syncEvents(fresh)).filter(e => (e.received ?? 0) > 0); return evs.length > 0 && evs }, { timeoutMs: 5_000, intervalMs: 50, what: 'the bus:sync log line' }).catch(() => [] as SyncLog[])
        const run = {
          fromStartMs: doneAt - st.startedAt,
          fromSpawnMs: doneAt - fresh.spawnedAt,
          syncSessionMs: logged.length > 0 ? logged.reduce((n, e) => n + (e.ms ?? 0), 0) : null,
          receivedBySync: logged.reduce((n, e) => n + (e.received ?? 0), 0)
        }
        runs.push(run)
        progress(`bus-catchup: rep ${r + 1}/${o.reps}: ${o.entries} entries ${run.fromStartMs} ms after the node started (${round(o.entries / (run.fromStartMs / 1000))}/s; sync session ${String(run.syncSessionMs)} ms)`)
      } finally {
        api?.close()
        await fresh.stop()
      }
    }
    const perSec = runs.map(x => o.entries / (x.fromStartMs / 1000))
    const sessionPerSec = runs.flatMap(x => x.syncSessionMs != null ? [o.entries / (x.syncSessionMs / 1000)] : [])
    const median = summarize(perSec).median
    return {
      entries: o.entries,
      bodyBytes: o.bodyBytes,
      reps: o.reps,
      storeBuiltPerSec: build.perSec,
      rawVerifyPerSec: rawVerify.perSec,
      runs,
      catchupPerSec: summarize(perSec),
      syncSessionPerSec: summarize(sessionPerSec),
      ratioToRawVerify: round(median / rawVerify.perSec, 2),
      goal: 'catch-up >= 5x the raw per-entry verify rate',
      met: median >= 5 * rawVerify.perSec,
      note: 'catchupPerSec counts from the fresh node\'s libp2p start (discovery or the dial of the source that admitted it, connection, identify included) until its head equals the source\'s (polled every 50 ms; the chain also holds one admit entry per join so far); the join itself (smesh join --no-start) is done before the process is spawned and not counted; syncSessionPerSec from the sync session\'s own duration in its log'
    }
  } finally {
    await source?.stop()
    await lan.destroy()
  }
}
