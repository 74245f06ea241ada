import { createWriteStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { exportBundle, openBus, verifyBundleFile } from '@smesh/bus'
import { loadOrCreateIdentity } from '@smesh/identity'
import { runCli } from '../src/harness/smesh-process.js'
import { tempDir } from '../src/harness/tmp.js'
import { KIND, MESH, closedLoop, randomBodies, round } from './bus-common.js'
import { progress } from './stats.js'
import type { Bus } from '@smesh/bus'

export interface BusVerifyOptions {
  entries: number
  authors: number
  bodyBytes: number
}

async function newBus (label: string): Promise<Bus> {
  const dir = tempDir(label)
  return await openBus(dir, await loadOrCreateIdentity(dir))
}

/** Whether this checkout's CLI has `smesh verify` (it is being written alongside these benchmarks). */
async function cliHasVerify (): Promise<boolean> {
  const r = await runCli(['verify', '--help'])
  return r.code === 0 && r.stdout.includes('smesh verify')
}

/**
 * Builds a bundle of `entries` entries from `authors` authors, then one
 * `smesh verify FILE --json` run as a user runs it (the bin, its shebang's
 * Node flags) with every signature checked, and one with --fast. Falls back
 * to verifyBundleFile in this process when the CLI has no verify command.
 */
export async function benchBusVerify (o: BusVerifyOptions): Promise<Record<string, unknown>> {
  progress(`bus-verify: building a bundle of ${o.entries} entries (${o.authors} authors, ${o.bodyBytes}-byte bodies)`)
  const file = join(tempDir('smesh-bench-bundle'), 'bus.bundle')
  const bodies = randomBodies(64, o.bodyBytes)
  const writers: Bus[] = []
  let collector: Bus | undefined
  const t0 = performance.now()
  let signMs: number
  try {
    for (let k = 0; k < o.authors; k++) writers.push(await newBus('smesh-bench-author'))
    collector = await newBus('smesh-bench-collector')
    // authors sign concurrently (each Bus signs one entry at a time on libuv's pool)
    await Promise.all(writers.map(async (bus, k) => {
      const count = Math.floor(o.entries / o.authors) + (k < o.entries % o.authors ? 1 : 0)
      await closedLoop(256, { count }, async i => await bus.append(KIND, bodies[(i + k) % bodies.length] as Uint8Array))
    }))
    signMs = performance.now() - t0
    progress(`bus-verify: ${o.entries} entries signed in ${round(signMs / 1000)} s; collecting and exporting`)
    for (const w of writers) {
      const last = w.head(w.authorHex)?.seq ?? 0n
      for (let from = 1n; from <= last; from += 512n) await collector.ingestRun(await w.range(w.authorHex, from, 512))
    }
    const plan = await exportBundle(collector, { mesh: MESH })
    await pipeline(Readable.from(plan.bytes), createWriteStream(file))
    if (plan.entries !== o.entries) throw new Error(`the bundle holds ${plan.entries} entries, not ${o.entries}`)
  } finally {
    await Promise.all([...writers, ...(collector != null ? [collector] : [])].map(async b => { await b.close() }))
  }
  const buildMs = performance.now() - t0
  const fileBytes = (await stat(file)).size

  const viaCli = await cliHasVerify()
  const verify = async (fast: boolean): Promise<Record<string, unknown>> => {
    progress(`bus-verify: ${viaCli ? 'smesh verify' : 'verifyBundleFile (in-process)'}${fast ? ' --fast' : ''}`)
    const start = performance.now()
    let ok: boolean
    let entries: number
    if (viaCli) {
      // the bench's writers are not members of any mesh: the signatures and links are what is measured
      const r = await runCli(['verify', file, '--json', '--no-anchor', ...(fast ? ['--fast'] : [])], { timeoutMs: 30 * 60_000 })
      const report = JSON.parse(r.stdout) as { ok: boolean, entries: number }
      if (r.code !== 0) throw new Error(`smesh verify exited with ${String(r.code ?? r.signal)}: ${r.stderr.slice(0, 500)}`)
      ok = report.ok
      entries = report.entries
    } else {
      const report = await verifyBundleFile(file, { fast })
      ok = report.ok
      entries = report.entries
    }
    const ms = performance.now() - start
    if (!ok || entries !== o.entries) throw new Error(`verification of the bundle failed (ok ${String(ok)}, ${entries} entries)`)
    progress(`bus-verify: ${round(ms / 1000, 2)} s, ${round(o.entries / (ms / 1000))} entries/s`)
    return { ms: round(ms), entriesPerSec: round(o.entries / (ms / 1000)) }
  }
  const full = await verify(false)
  const fast = await verify(true)
  return {
    entries: o.entries,
    authors: o.authors,
    bodyBytes: o.bodyBytes,
    note: `bodies of ${o.bodyBytes} bytes (not 1 KiB) keep the file small; an entry is dominated by its 3,309-byte ML-DSA-65 signature either way. Times are wall time of the whole command, Node start included.`,
    via: viaCli ? 'cli: smesh verify FILE --json (the bin, as a user runs it)' : 'in-process verifyBundleFile (the CLI has no verify command yet)',
    fileBytes,
    fileBytesPerEntry: round(fileBytes / o.entries),
    full,
    fast,
    build: { signSeconds: round(signMs / 1000), totalSeconds: round(buildMs / 1000) }
  }
}
