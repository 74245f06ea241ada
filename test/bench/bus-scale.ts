import { execFileSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { encodeJsonBody, openBus } from '@smesh/bus'
import { loadOrCreateIdentity } from '@smesh/identity'
import { SmeshProcess, runCli } from '../src/harness/smesh-process.js'
import { tempDir } from '../src/harness/tmp.js'
import { NodeApi, closedLoop, round, sleep } from './bus-common.js'
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

/**
 * A node whose bus already holds `sizes[i]` entries (memory.put of distinct
 * keys, written in-process by the node's own identity before it starts):
 * its start, its RSS, and the read paths a user touches, at each size.
 */
export async function benchBusScale (sizes: number[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {}
  for (const n of sizes) {
    progress(`bus-scale: ${n} entries`)
    const dir = tempDir('smesh-bench-scale')
    const init = await runCli(['init', '--data-dir', dir, '--name', 'scale'])
    if (init.code !== 0) throw new Error(`smesh init failed: ${init.stderr}`)
    const bus = await openBus(dir, await loadOrCreateIdentity(dir))
    const t0 = performance.now()
    const value = 'x'.repeat(100)
    await closedLoop(64, { count: n }, async i => await bus.append('memory.put', encodeJsonBody({ key: `bench/k${i}`, value })))
    const writeMs = performance.now() - t0
    await bus.close()
    progress(`bus-scale: ${n} entries written in ${round(writeMs / 1000, 1)} s; starting the node`)
    const diskBytes = Number(execFileSync('du', ['-sb', join(dir, 'bus')], { encoding: 'utf8' }).split('\t')[0])
    const spawned = performance.now()
    const node = await SmeshProcess.start({ dataDir: dir, init: false, name: 'scale', args: ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0', '--web-port', 'off'] })
    const readyMs = performance.now() - spawned
    const api = await NodeApi.open(dir)
    try {
      await sleep(5_000)
      const rss = await rssMiB(node.pid)
      const memoryGet = await timed(200, async i => await api.get(`/v1/memory/get?key=bench/k${(i * 7919) % n}`))
      const busLog = await timed(100, async () => await api.get('/v1/bus/log?limit=50'))
      const busStatus = await timed(20, async () => await api.get('/v1/bus/status'))
      out[`entries_${n}`] = {
        entries: n,
        writeSeconds: round(writeMs / 1000, 1),
        startMs: round(readyMs),
        rssMiB: rss,
        memoryGetMs: memoryGet,
        busLog50Ms: busLog,
        busStatusMs: busStatus,
        diskBytesPerEntry: round(diskBytes / n)
      }
    } finally {
      api.close()
      await node.stop()
    }
  }
  return {
    method: 'one author (the node\'s own identity) writes memory.put entries of distinct keys in-process (64 in flight), then `smesh start` on that data dir (loopback, mDNS off): startMs = spawn to the control API answering (Node start included); RSS after 5 s; memory get = GET /v1/memory/get of 200 keys spread over the bus, one at a time; bus log = GET /v1/bus/log?limit=50, 100 times; status = GET /v1/bus/status, 20 times; disk = du -sb of the bus directory before the start',
    ...out
  }
}
