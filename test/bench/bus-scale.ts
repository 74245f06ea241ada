import { execFile, execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, readFile, rm } from 'node:fs/promises'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openBus } from '@smesh/bus'
import { loadOrCreateIdentity } from '@smesh/identity'
import { SmeshProcess, runCli } from '../src/harness/smesh-process.js'
import { tempDir } from '../src/harness/tmp.js'
import { NodeApi, round, sleep } from './bus-common.js'
import { percentiles, progress } from './stats.js'

/** RSS, and how much of it is anonymous memory and how much mapped files (LevelDB maps its table files: pages read count, and the kernel can drop them). */
async function rssMiB (pid: number): Promise<{ rss: number, anon: number, file: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = (name: string): number => round(Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024, 1)
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') }
}

/** Times `n` calls of `fn`, one after another. */
async function timed (n: number, fn: (i: number) => Promise<unknown>): Promise<ReturnType<typeof percentiles>> {
  const ms: number[] = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await fn(i)
    ms.push(performance.now() - t)
  }
  return percentiles(ms)
}

/** Builds a bus of `n` entries by `writers` authors in parallel (one process each), merged into the node's store at `dir`. */
async function buildBus (dir: string, n: number, writers: number): Promise<{ writeSeconds: number, mergeSeconds: number }> {
  const init = await runCli(['init', '--data-dir', dir, '--name', 'scale'])
  if (init.code !== 0) throw new Error(`smesh init failed: ${init.stderr}`)
  const t0 = performance.now()
  const script = fileURLToPath(new URL('./bus-writer.js', import.meta.url))
  const dirs = Array.from({ length: writers }, () => tempDir('smesh-bench-writer'))
  await Promise.all(dirs.map(async (d, i) => {
    const count = Math.floor(n / writers) + (i < n % writers ? 1 : 0)
    await new Promise<void>((resolve, reject) => {
      execFile(process.execPath, [script, d, String(count)], { maxBuffer: 1 << 20 }, (err, _out, stderr) => { if (err != null) reject(new Error(`bus writer failed: ${stderr}`)); else resolve() })
    })
  }))
  const writeSeconds = round((performance.now() - t0) / 1000, 1)
  progress(`bus-scale: ${n} entries signed by ${writers} authors in ${writeSeconds} s; merging them into the node's store`)
  const t1 = performance.now()
  const bus = await openBus(dir, await loadOrCreateIdentity(dir))
  for (const d of dirs) {
    const w = await openBus(d, await loadOrCreateIdentity(d))
    const head = w.head(w.authorHex)
    if (head != null) for await (const raws of w.store.chain(w.authorHex, head.seq, 1024)) await bus.ingestRun(raws)
    await w.close()
    await rm(d, { recursive: true, force: true })
  }
  await bus.close()
  return { writeSeconds, mergeSeconds: round((performance.now() - t1) / 1000, 1) }
}

/**
 * A node whose bus already holds `sizes[i]` entries (memory.put of distinct
 * keys, signed by one author per core and merged into the node's store
 * before it starts): its start, its RSS, and the read paths a user touches,
 * while its read-back of the store runs and after it, at each size. With
 * `cache`, a bus built once is kept there and copied for later runs.
 */
export async function benchBusScale (sizes: number[], cache?: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {}
  const writers = Math.max(1, Math.min(cpus().length, 4))
  for (const n of sizes) {
    progress(`bus-scale: ${n} entries`)
    const dir = tempDir('smesh-bench-scale')
    const cached = cache != null ? join(cache, `entries_${n}`) : undefined
    let built: { writeSeconds: number, mergeSeconds: number } | undefined
    if (cached != null && existsSync(join(cached, 'mesh.json'))) {
      await cp(cached, dir, { recursive: true })
    } else {
      built = await buildBus(dir, n, writers)
      if (cached != null) await cp(dir, cached, { recursive: true })
    }
    const diskBytes = Number(execFileSync('du', ['-sb', join(dir, 'bus')], { encoding: 'utf8' }).split('\t')[0])
    progress(`bus-scale: ${n} entries (${round(diskBytes / 1048576)} MiB); starting the node`)
    const spawned = performance.now()
    const node = await SmeshProcess.start({ dataDir: dir, init: false, name: 'scale', args: ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0', '--web-port', 'off'] })
    const readyMs = performance.now() - spawned
    const api = await NodeApi.open(dir)
    try {
      await sleep(5_000)
      const rss = await rssMiB(node.pid)
      const keys = await api.get<Array<{ key: string }>>('/v1/memory/list?prefix=bench/&limit=2000')
      const key = (i: number): string => keys[(i * 7919) % keys.length]?.key ?? 'bench/none'
      const during = (await api.status()).store.readBack?.state === 'running'
      const memoryGet = await timed(200, async i => await api.get(`/v1/memory/get?key=${encodeURIComponent(key(i))}`))
      const busLog = await timed(100, async () => await api.get('/v1/bus/log?limit=50'))
      const busStatus = await timed(20, async () => await api.get('/v1/bus/status'))
      let readBack = (await api.status()).store.readBack
      while (readBack?.state === 'running') {
        await sleep(250)
        readBack = (await api.status()).store.readBack
      }
      const rssAfter = await rssMiB(node.pid)
      const memoryGetAfter = await timed(200, async i => await api.get(`/v1/memory/get?key=${encodeURIComponent(key(i + 1))}`))
      out[`entries_${n}`] = {
        entries: n,
        authors: writers,
        ...(built ?? { cached: true }),
        startMs: round(readyMs),
        rssMiB: rss,
        memoryGetMs: memoryGet,
        busLog50Ms: busLog,
        busStatusMs: busStatus,
        readsDuringReadBack: during,
        readBack: { state: readBack?.state, ms: readBack?.report?.ms, problem: readBack?.problem },
        rssMiBAfterReadBack: rssAfter,
        memoryGetMsAfterReadBack: memoryGetAfter,
        diskBytesPerEntry: round(diskBytes / n)
      }
    } finally {
      api.close()
      await node.stop()
      await rm(dir, { recursive: true, force: true })
    }
  }
  return {
    method: `${writers} authors (one process each, their own identities) sign memory.put entries of distinct keys (64 in flight each), merged into the node's store (ingestRun) before it starts; then \`smesh start\` on that data dir (loopback, mDNS off): startMs = spawn to the control API answering (Node start included); RSS (anonymous + mapped files: LevelDB maps its table files, the kernel can drop those pages) 5 s after the start and after the node's read-back of its whole store (paced to a quarter of the event loop); memory get = GET /v1/memory/get of 200 keys spread over the bus, one at a time (readsDuringReadBack: whether the read-back was still running when they began), and 200 more after the read-back; bus log = GET /v1/bus/log?limit=50, 100 times; status = GET /v1/bus/status, 20 times; disk = du -sb of the bus directory before the start`,
    ...out
  }
}
