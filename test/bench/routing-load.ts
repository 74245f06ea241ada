import { FixtureProcess } from '../src/harness/fixture-process.js'
import { Lan } from '../src/harness/lan.js'
import { startMesh } from '../src/harness/mesh.js'
import { NodeApi, clockTicksPerSec, round, sleep } from './bus-common.js'
import { cpuTicks } from './idle.js'
import { MODEL, PROMPT, llama, nodeEnv, nodePid, pieces, runTask, waitServing } from './routing.js'
import { percentiles, progress, summarize } from './stats.js'
import type { SmeshProcess } from '../src/harness/smesh-process.js'

/**
 * Routing under load: `concurrent` tasks started at once from two client
 * nodes (half each) over four serving nodes, each with its own Ollama
 * fixture of the same model (20 pieces, 10 ms apart) and the default task
 * concurrency (4): a queue forms on the servers.
 */
/**
 * Two client nodes (c0, c1: no model) and `servers` serving nodes (s0..),
 * each with its own Ollama fixture of the same model, on `lan`'s hosts in
 * that order; returns once every client sees every server serving. What it
 * starts goes into `procs` and `fixtures` as it starts, for the caller to stop.
 */
export async function startClientsAndServers (lan: Lan, servers: number, fixture: { reply: string[], tokenDelayMs: number }, procs: SmeshProcess[], fixtures: FixtureProcess[]): Promise<{ clients: SmeshProcess[], serving: SmeshProcess[] }> {
  const ns = (i: number): string => lan.hosts[i]?.ns as string
  fixtures.push(...await Promise.all(Array.from({ length: servers }, async (_, i) => await FixtureProcess.start({ kind: 'ollama', ns: ns(2 + i), script: { models: [llama(true)], reply: fixture.reply, tokenDelayMs: fixture.tokenDelayMs } }))))
  const nodes = await startMesh([
    { ns: ns(0), name: 'c0', env: nodeEnv({}) },
    { ns: ns(1), name: 'c1', env: nodeEnv({}) },
    ...fixtures.map((f, i) => ({ ns: ns(2 + i), name: `s${i}`, env: nodeEnv({ SMESH_OLLAMA_URL: f.url }) }))
  ])
  procs.push(...nodes)
  const clients = nodes.slice(0, 2)
  const serving = nodes.slice(2)
  for (const c of clients) for (const s of serving) await waitServing(c, s.name)
  return { clients, serving }
}

export async function benchRoutingLoad (concurrent: number): Promise<Record<string, unknown>> {
  const servers = 4
  progress(`routing-load: 2 clients, ${servers} servers, ${concurrent} concurrent tasks`)
  const lan = await Lan.create(2 + servers)
  const procs: SmeshProcess[] = []
  const fixtures: FixtureProcess[] = []
  const apis: NodeApi[] = []
  /** s0's API, read for what the tasks left on the bus (not used to run tasks). */
  const serverApis: NodeApi[] = []
  const reply = pieces(20)
  try {
    const { clients, serving } = await startClientsAndServers(lan, servers, { reply, tokenDelayMs: 10 }, procs, fixtures)
    for (const c of clients) apis.push(await NodeApi.open(c.dataDir))
    serverApis.push(await NodeApi.open(serving[0]!.dataDir))
    const body = { prompt: PROMPT, model: MODEL }
    progress('routing-load: warm-up (8 tasks from each client, 4 at a time)')
    for (let i = 0; i < 2; i++) {
      const warm = await Promise.all(apis.flatMap(api => Array.from({ length: 4 }, async () => await runTask(api, body))))
      const bad = warm.find(r => r.error != null)
      if (bad?.error != null) throw new Error(`a warm-up task failed: ${bad.error.code}: ${bad.error.message}`)
    }
    const hz = clockTicksPerSec()
    const clientPids = await Promise.all(clients.map(nodePid))
    const serverPids = await Promise.all(serving.map(nodePid))
    const count = (into: Record<string, number>, key: string): void => { into[key] = (into[key] ?? 0) + 1 }
    /** `n` tasks at once, half from each client, after the adverts have settled. */
    const phase = async (n: number): Promise<Record<string, unknown>> => {
      await sleep(3_000) // queues empty again in every advert
      const c0 = await Promise.all(clientPids.map(cpuTicks))
      const s0 = await Promise.all(serverPids.map(cpuTicks))
      progress(`routing-load: ${n} tasks`)
      const t0 = performance.now()
      const runs = await Promise.all(Array.from({ length: n }, async (_, i) => ({ client: i % 2, run: await runTask(apis[i % 2] as NodeApi, body) })))
      const wallMs = performance.now() - t0
      const c1 = await Promise.all(clientPids.map(cpuTicks))
      const s1 = await Promise.all(serverPids.map(cpuTicks))
      const ok = runs.filter(r => r.run.outcome != null)
      const errors: Record<string, number> = {}
      const errorMessages: Record<string, number> = {}
      for (const r of runs) {
        if (r.run.error == null) continue
        count(errors, r.run.error.code)
        count(errorMessages, r.run.error.message)
      }
      const spread: Record<string, number> = {}
      const spreadByClient: Record<string, Record<string, number>> = { c0: {}, c1: {} }
      for (const r of ok) {
        const d = r.run.outcome?.device ?? '?'
        count(spread, d)
        count(spreadByClient[`c${r.client}`] as Record<string, number>, d)
      }
      // attempts that failed and moved on to another candidate, by error code and message; and where first attempts went
      const retries: Record<string, number> = {}
      const retryMessages: Record<string, number> = {}
      const firstAssign: Record<string, Record<string, number>> = { c0: {}, c1: {} }
      for (const r of runs) {
        const first = r.run.lines.find(l => l.line.type === 'assign')
        if (first != null) count(firstAssign[`c${r.client}`] as Record<string, number>, first.line.device ?? '?')
        for (const l of r.run.lines) {
          if (l.line.type !== 'retry') continue
          count(retries, l.line.code ?? '?')
          count(retryMessages, String((l.line as { message?: string }).message ?? ''))
        }
      }
      // what the phase left on a serving node's bus (every device holds the same): entries and bytes per task
      const ids = new Set(ok.map(r => r.run.outcome?.task).filter((t): t is string => t != null))
      await sleep(1_500) // records are written in the background, then gossiped
      const log = await (serverApis[0] as NodeApi).get<Array<{ kind: string, size: number, body: { task?: string } | null }>>(`/v1/bus/log?limit=${Math.min(10_000, n * 10)}`)
      const ofPhase = log.filter(e => e.body != null && typeof e.body === 'object' && ids.has(e.body.task ?? ''))
      const clientCpuS = c1.map((t, i) => (t - (c0[i] ?? 0)) / hz)
      const serverCpuS = s1.map((t, i) => (t - (s0[i] ?? 0)) / hz)
      const handoffRecords = runs.reduce((k, r) => k + r.run.lines.filter(l => l.line.type === 'handoff').length, 0)
      return {
        concurrent: n,
        completed: ok.length,
        errors,
        errorMessages,
        retriesByCode: retries,
        retryMessages,
        wallMs: round(wallMs),
        latencyMs: percentiles(ok.map(r => r.run.totalMs)),
        ttftMs: percentiles(ok.map(r => r.run.ttftMs ?? NaN)),
        ...(ok.length < runs.length ? { failedAfterMs: percentiles(runs.filter(r => r.run.error != null).map(r => r.run.totalMs)) } : {}),
        attempts: summarize(ok.map(r => r.run.outcome?.attempts ?? NaN)),
        spread,
        spreadByClient,
        firstAttemptByClient: firstAssign,
        routerCpu: {
          clientCpuSeconds: clientCpuS.map(v => round(v, 2)),
          cpuMsPerTask: round(clientCpuS.reduce((x, y) => x + y, 0) * 1000 / Math.max(1, n), 2),
          handoffs: handoffRecords
        },
        serverCpuSeconds: serverCpuS.map(v => round(v, 2)),
        busPerTask: { entries: round(ofPhase.length / Math.max(1, ids.size), 2), bytes: round(ofPhase.reduce((b, e) => b + e.size, 0) / Math.max(1, ids.size)), kinds: [...new Set(ofPhase.map(e => e.kind))], note: 'entries of the phase\'s completed tasks on s0\'s bus (all devices hold the same), encoded size' }
      }
    }
    const main = await phase(concurrent)
    // the serving side admits at most 2 × its task concurrency tasks of one submitting peer at once (TaskServer maxPerPeer)
    const perPeerLimit = 8
    const below = Math.min(concurrent, Math.floor(2 * servers * perPeerLimit * 0.75))
    const belowLimit = await phase(below)
    return {
      method: `tasks started at once, alternately on c0 and c1 (POST /v1/run, model ${MODEL}, residency mesh; no model on the clients), served by s0..s${servers - 1}, each with its own Ollama fixture (20 pieces, 10 ms apart: ≥ 190 ms a task) and SMESH_TASK_CONCURRENCY unset (4). Latency = request to the done line; TTFT = request to the first text line; failedAfterMs = request to the error line of the tasks that failed. routerCpu = utime+stime (/proc/PID/stat, node processes checked by cmdline) of the two client nodes over the phase (all their work: routing, task streams, API, bus records incl. one handoff + one assign record per retry), per task started. Warm-up: 16 tasks, not counted. Phases: the ${concurrent} tasks asked for, then ${below} (3/4 of what the servers admit from two clients at once: 2 clients × ${servers} servers × ${perPeerLimit} per submitting peer), each after 3 s for the adverts' queues to drain.`,
      ...main,
      belowPeerLimit: belowLimit,
      /** Whether the pid the harness spawned (ip netns exec …) is the node process itself, as /proc/PID/cmdline shows. */
      spawnedPidIsNode: [...clients, ...serving].every((p, i) => p.pid === [...clientPids, ...serverPids][i])
    }
  } finally {
    for (const x of [...apis, ...serverApis]) x.close()
    await Promise.all(procs.map(async p => { await p.stop() }))
    await Promise.all(fixtures.map(async f => { await f.stop() }))
    await lan.destroy()
  }
}
