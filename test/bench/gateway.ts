import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { FixtureProcess } from '../src/harness/fixture-process.js'
import { Lan } from '../src/harness/lan.js'
import { startMesh } from '../src/harness/mesh.js'
import { cleanEnv, waitFor } from '../src/harness/smesh-process.js'
import { tempDir } from '../src/harness/tmp.js'
import { clockTicksPerSec, round, sleep } from './bus-common.js'
import { cpuTicks } from './idle.js'
import { nodePid } from './routing.js'
import { percentiles, progress } from './stats.js'
import type { SmeshProcess } from '../src/harness/smesh-process.js'
import type { FixtureScript } from '../fixtures/providers.js'
import type { ModelsView } from '@smesh/node'

/**
 * Gateway benchmarks, on a LAN of network namespaces with real nodes and
 * fixture backends. The clients are a helper process (gateway-client.ts)
 * inside the gateway node's namespace, using Node's fetch for every path
 * alike, so that the paths differ only in what the node does.
 */

const MODEL = 'llama3.2:3b'
const HELPER = fileURLToPath(new URL('./gateway-client.js', import.meta.url))
const execFileP = promisify(execFile)
const pieces = (n: number): string[] => Array.from({ length: n }, (_, i) => `word${String(i).padStart(4, '0')} `)
const llama: FixtureScript['models'][number] = { name: MODEL, family: 'llama', loaded: true, capabilities: ['completion', 'tools'] }
const nodeEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => cleanEnv({ SMESH_OLLAMA_URL: 'off', ...extra })

async function helper (ns: string, mode: string, args: object, timeoutMs = 600_000): Promise<any> {
  const { stdout } = await execFileP('ip', ['netns', 'exec', ns, process.execPath, HELPER, mode, JSON.stringify(args)], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 })
  return JSON.parse(stdout)
}

/** A node's control API as a client in its namespace reaches it: URL and token from its data dir. */
async function controlApi (p: SmeshProcess): Promise<{ api: string, token: string }> {
  const info = JSON.parse(await readFile(join(p.dataDir, 'api.json'), 'utf8')) as { url: string }
  return { api: info.url, token: (await readFile(join(p.dataDir, 'api.token'), 'utf8')).trim() }
}

async function waitModel (p: SmeshProcess, devices: number): Promise<void> {
  await waitFor(async () => (await p.api<ModelsView>('/v1/models')).models.filter(m => m.model === MODEL).length >= devices, { timeoutMs: 30_000, what: `${p.name} to see ${devices} copies of ${MODEL}` })
}

const p2 = (xs: number[]): ReturnType<typeof percentiles> => {
  const p = percentiles(xs)
  return { n: p.n, p50: round(p.p50, 2), p90: round(p.p90, 2), p99: round(p.p99, 2), max: round(p.max, 2), mean: round(p.mean, 2) }
}

/**
 * Gateway overhead: a client device (the gateway, no model) and a server
 * whose Ollama fixture answers at once (8 pieces). The same task, one at a
 * time, alternating: through POST /v1/run (smesh run's path) and through
 * each gateway API, streaming. Reported: each path's time to first token,
 * and each API's paired difference from /v1/run's (gateway minus run).
 */
export async function benchGatewayOverhead (reps: number): Promise<Record<string, unknown>> {
  progress(`gateway-overhead: ${reps} rounds of run / openai / ollama / anthropic`)
  const lan = await Lan.create(2)
  const procs: SmeshProcess[] = []
  const fixtures: FixtureProcess[] = []
  try {
    const ns = (i: number): string => lan.hosts[i]?.ns as string
    const ollama = await FixtureProcess.start({ kind: 'ollama', ns: ns(1), script: { models: [llama], reply: pieces(8), tokenDelayMs: 0 } })
    fixtures.push(ollama)
    const [client, server] = await startMesh([
      { ns: ns(0), name: 'client', env: nodeEnv({}) },
      { ns: ns(1), name: 'server', env: nodeEnv({ SMESH_OLLAMA_URL: ollama.url }) }
    ]) as [SmeshProcess, SmeshProcess]
    procs.push(client, server)
    await waitModel(client, 1)
    const key = await client.gatewayKey('bench')
    const r = await helper(ns(0), 'ttft', { ...(await controlApi(client)), gateway: await client.gateway(), key, model: MODEL, reps, warm: 20 })
    if (r.errorCount > 0) throw new Error(`gateway-overhead: ${r.errorCount as number} requests failed: ${(r.errors as string[]).join('; ')}`)
    const run = r.ttftMs.run as number[]
    const out: Record<string, unknown> = { rounds: reps, ttftMs: { run: p2(run) } }
    for (const api of ['openai', 'ollama', 'anthropic']) {
      const xs = r.ttftMs[api] as number[]
      ;(out.ttftMs as Record<string, unknown>)[api] = p2(xs)
      out[`${api}MinusRunMs`] = p2(xs.map((x, i) => x - (run[i] as number)))
    }
    out.method = 'helper process in the client namespace, Node fetch for every path; TTFT = request sent to first text-bearing line/event parsed; paired differences per round (same serving node, same fixture); goal: under 2 ms p50'
    return out
  } finally {
    await Promise.all(procs.map(async p => { await p.stop() }))
    await Promise.all(fixtures.map(async f => { await f.stop() }))
    await lan.destroy()
  }
}

/** Samples a process's RSS (from /proc) every 100 ms until stopped; the largest seen. */
function rssSampler (pid: number): { stop: () => Promise<number> } {
  let peak = 0
  let running = true
  const loop = (async () => {
    while (running) {
      const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
      peak = Math.max(peak, kb * 1024)
      await sleep(100)
    }
  })()
  return { stop: async () => { running = false; await loop; return peak } }
}

/**
 * 200 (or `clients`) streaming clients at once through one gateway, answered
 * by four serving nodes (concurrency 64 each; each answer 20 pieces 20 ms
 * apart, about 0.4 s). Reported: completed, errors, TTFT and total p50/p99,
 * and the gateway node's CPU and memory per stream.
 */
export async function benchGatewayLoad (clients: number): Promise<Record<string, unknown>> {
  progress(`gateway-load: ${clients} concurrent streams through one gateway, 4 serving nodes`)
  const lan = await Lan.create(5)
  const procs: SmeshProcess[] = []
  const fixtures: FixtureProcess[] = []
  try {
    const ns = (i: number): string => lan.hosts[i]?.ns as string
    for (let i = 1; i <= 4; i++) fixtures.push(await FixtureProcess.start({ kind: 'ollama', ns: ns(i), script: { models: [llama], reply: pieces(20), tokenDelayMs: 20 } }))
    const deskDir = tempDir('smesh-gw')
    await writeFile(join(deskDir, 'config.json'), JSON.stringify({ gatewayMaxStreams: 1024, gatewayMaxStreamsPerKey: 1024 }))
    const started = await startMesh([
      { ns: ns(0), name: 'gateway', dataDir: deskDir, env: nodeEnv({}) },
      ...fixtures.map((f, i) => ({ ns: ns(i + 1), name: `server${i + 1}`, env: nodeEnv({ SMESH_OLLAMA_URL: f.url, SMESH_TASK_CONCURRENCY: '64' }) }))
    ])
    procs.push(...started)
    const gw = started[0] as SmeshProcess
    await waitModel(gw, 4)
    const key = await gw.gatewayKey('bench')
    const url = await gw.gateway()
    // warm up the paths (code, connections) with a few streams first
    await helper(ns(0), 'load', { gateway: url, key, model: MODEL, clients: 8 })
    const pid = await nodePid(gw)
    await sleep(1_000)
    const idleRss = await rssSampler(pid).stop()
    const cpu0 = await cpuTicks(pid)
    const sampler = rssSampler(pid)
    const r = await helper(ns(0), 'load', { gateway: url, key, model: MODEL, clients })
    const peakRss = await sampler.stop()
    const cpuS = (await cpuTicks(pid) - cpu0) / clockTicksPerSec()
    const runs = r.runs as Array<{ ttftMs: number | null, totalMs: number, pieces: number, chars: number, status: number, error?: string }>
    const whole = pieces(20).join('').length
    const ok = runs.filter(x => x.status === 200 && x.chars === whole && x.error == null)
    return {
      clients,
      completed: ok.length,
      errors: runs.length - ok.length,
      firstErrors: runs.filter(x => !ok.includes(x)).slice(0, 3).map(x => `${x.status}: ${x.chars} of ${whole} characters ${x.error ?? ''}`),
      wallMs: round(r.wallMs as number),
      ttftMs: p2(ok.map(x => x.ttftMs as number)),
      totalMs: p2(ok.map(x => x.totalMs)),
      gatewayCpuSeconds: round(cpuS, 3),
      gatewayCpuMsPerStream: round(cpuS * 1000 / clients, 2),
      gatewayRssIdleMiB: round(idleRss / 1048576),
      gatewayRssPeakMiB: round(peakRss / 1048576),
      gatewayRssKiBPerStream: round((peakRss - idleRss) / 1024 / clients),
      method: 'helper process in the gateway namespace opens all streams at once (OpenAI API, Node fetch); CPU from /proc/PID/stat of the gateway node over the run (routing, task streams and bus records included); RSS sampled every 100 ms'
    }
  } finally {
    await Promise.all(procs.map(async p => { await p.stop() }))
    await Promise.all(fixtures.map(async f => { await f.stop() }))
    await lan.destroy()
  }
}

/**
 * Tokens per second one gateway passes on: the fixture streams 2,000 pieces
 * per answer with no delay, on the gateway's own node (no mesh hop: the
 * gateway and the node's executor) and on a peer (the mesh hop too), with
 * 1 and 4 clients reading as fast as they can; beside the fixture read
 * directly. Reported: pieces (tokens) per second and the node's CPU share.
 */
export async function benchGatewayThroughput (seconds: number): Promise<Record<string, unknown>> {
  progress(`gateway-throughput: ${seconds} s per case`)
  const lan = await Lan.create(2)
  const procs: SmeshProcess[] = []
  const fixtures: FixtureProcess[] = []
  try {
    const ns = (i: number): string => lan.hosts[i]?.ns as string
    const script: FixtureScript = { models: [llama], reply: pieces(2000), tokenDelayMs: 0 }
    const pieceChars = (pieces(1)[0] as string).length
    const own = await FixtureProcess.start({ kind: 'ollama', ns: ns(0), script })
    const remote = await FixtureProcess.start({ kind: 'ollama', ns: ns(1), script: { ...script, models: [{ ...llama, name: 'remote:1b' }] } })
    fixtures.push(own, remote)
    const [gw, server] = await startMesh([
      { ns: ns(0), name: 'gateway', env: nodeEnv({ SMESH_OLLAMA_URL: own.url }) },
      { ns: ns(1), name: 'server', env: nodeEnv({ SMESH_OLLAMA_URL: remote.url }) }
    ]) as [SmeshProcess, SmeshProcess]
    procs.push(gw, server)
    await waitFor(async () => (await gw.api<ModelsView>('/v1/models')).models.some(m => m.model === 'remote:1b'), { timeoutMs: 30_000, what: 'the gateway to see the server' })
    const key = await gw.gatewayKey('bench')
    const url = await gw.gateway()
    const pid = await nodePid(gw)
    const cases: Record<string, unknown> = {}
    for (const [name, path, model] of [['fixture-direct', 'fixture', MODEL], ['gateway-own-node', 'openai', MODEL], ['gateway-via-peer', 'openai', 'remote:1b']] as const) {
      for (const clients of [1, 4]) {
        const cpu0 = await cpuTicks(pid)
        const r = await helper(ns(0), 'throughput', { gateway: url, key, model, clients, seconds, path, fixture: own.url })
        const cpuS = (await cpuTicks(pid) - cpu0) / clockTicksPerSec()
        // a piece is one token of 9 characters; pieces may arrive joined (a serving node joins text while a write is in flight)
        cases[`${name}-${clients}`] = { clients, tokensPerS: Math.round(r.chars / pieceChars / r.seconds), requests: r.requests, errors: r.errorCount, gatewayNodeCpuPercent: path === 'fixture' ? null : round(cpuS / r.seconds * 100) }
      }
    }
    return { secondsPerCase: seconds, cases, method: 'helper in the gateway namespace reads streams back to back (Node fetch, OpenAI API; the direct case reads the fixture\'s NDJSON); a piece is one token; CPU is the gateway node\'s over the case (2 cores shared by the fixture, the node(s) and the helper)' }
  } finally {
    await Promise.all(procs.map(async p => { await p.stop() }))
    await Promise.all(fixtures.map(async f => { await f.stop() }))
    await lan.destroy()
  }
}
