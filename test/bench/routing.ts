import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { FixtureProcess } from '../src/harness/fixture-process.js'
import { Lan } from '../src/harness/lan.js'
import { startMesh } from '../src/harness/mesh.js'
import { SmeshProcess, cleanEnv, waitFor } from '../src/harness/smesh-process.js'
import { ndjsonLines } from '@smesh/node'
import { NodeApi, round, sleep } from './bus-common.js'
import { percentiles, progress, summarize } from './stats.js'
import type { FixtureScript } from '../fixtures/providers.js'
import type { ModelsView } from '@smesh/node'
import type { TaskOutcome } from '@smesh/tasks'

/**
 * Inference routing benchmarks, on a LAN of network namespaces with real
 * nodes and fixture backends (test/fixtures/providers.ts) as processes in
 * the serving devices' namespaces. Tasks are sent to a node's control API
 * (POST /v1/run, over its Unix socket) from this process, and timed from
 * the request to the NDJSON lines of the answer.
 */

export const MODEL = 'llama3.2:3b'
export const PROMPT = 'Why run AI on a mesh of your own devices?'
/** routing-overhead starts a (mesh, local) pair of tasks this often: below the per-peer task rate a server admits. */
const PACE_MS = 60
const RAW_HELPER = fileURLToPath(new URL('./routing-raw.js', import.meta.url))
const execFileP = promisify(execFile)

/** `n` pieces of a reply, each distinct (so a repeat would show in the text). */
export const pieces = (n: number): string[] => Array.from({ length: n }, (_, i) => `word${String(i).padStart(2, '0')} `)
export const llama = (loaded: boolean): FixtureScript['models'][number] => ({ name: MODEL, family: 'llama', digest: loaded ? 'warm0001' : 'cold0002', size: 2_019_393_189, quantization: 'Q4_K_M', loaded })
export const nodeEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => cleanEnv({ SMESH_OLLAMA_URL: 'off', ...extra })

export interface TaskLine {
  type: string
  text?: string
  device?: string
  tier?: string
  code?: string
  result?: TaskOutcome
  error?: { code: string, message: string }
}

export interface TaskRun {
  /** performance.now() when the request was sent; every `at` below is ms from it. */
  sentAt: number
  ttftMs: number | null
  totalMs: number
  text: string
  outcome?: TaskOutcome
  error?: { code: string, message: string }
  lines: Array<{ at: number, line: TaskLine }>
}

/** Runs one task through a node's POST /v1/run and times its NDJSON lines; never throws (a failure is in `error`). */
export async function runTask (api: NodeApi, body: object, options: { onLine?: (line: TaskLine, at: number) => void, timeoutMs?: number } = {}): Promise<TaskRun> {
  const sentAt = performance.now()
  const run: TaskRun = { sentAt, ttftMs: null, totalMs: NaN, text: '', lines: [] }
  try {
    const res = await api.stream('POST', '/v1/run', body, { signal: AbortSignal.timeout(options.timeoutMs ?? 120_000) })
    for await (const line of ndjsonLines(res) as AsyncGenerator<TaskLine>) {
      const at = performance.now() - sentAt
      run.lines.push({ at, line })
      if (line.type === 'text') {
        run.ttftMs ??= at
        run.text += line.text ?? ''
      } else if (line.type === 'done') {
        run.outcome = line.result
      } else if (line.type === 'error') {
        run.error = { code: line.error?.code ?? 'unknown', message: line.error?.message ?? '' }
      }
      options.onLine?.(line, at)
    }
  } catch (err: any) {
    run.error ??= { code: err?.status != null ? `http-${String(err.status)}` : String(err?.code ?? err?.name ?? 'client'), message: String(err?.message ?? err) }
  }
  run.totalMs = performance.now() - sentAt
  if (run.outcome == null && run.error == null) run.error = { code: 'no-end', message: 'the stream ended without done or error' }
  return run
}

/** The node process itself: `ip netns exec` and `env -S node` exec in place, so the child's pid should already be it; checked. */
export async function nodePid (p: SmeshProcess): Promise<number> {
  const isNode = async (pid: number): Promise<boolean> => {
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0')
    return /(^|\/)node$/.test(argv[0] ?? '') && argv.some(a => a.endsWith('smesh.js'))
  }
  if (await isNode(p.pid)) return p.pid
  const children = (await readFile(`/proc/${p.pid}/task/${p.pid}/children`, 'utf8').catch(() => '')).split(' ').map(Number).filter(n => n > 0)
  for (const c of children) if (await isNode(c)) return c
  throw new Error(`no node process for ${p.name} (pid ${p.pid}: ${await readFile(`/proc/${p.pid}/cmdline`, 'utf8').catch(() => '?')})`)
}

/** Waits until `from` lists `device`'s copy of the model and holds a connection to it. */
export async function waitServing (from: SmeshProcess, device: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(async () => {
    const [models, peers] = await Promise.all([from.api<ModelsView>('/v1/models'), from.peers()])
    return models.models.some(m => m.device === device && (device === from.name || peers.some(p => p.name === device && p.connected)))
  }, { timeoutMs, intervalMs: 50, what: `${from.name} to see ${device}'s models and be connected to it` })
}

const median = (xs: number[]): number => summarize(xs).median

/**
 * Mesh hop overhead: a client device with no model and a server whose
 * Ollama fixture answers at once (8 pieces, no delays). Time to first token
 * of the same task (a) sent to the client node (routed to the server over
 * the mesh), (b) sent to the server node with residency local (its own
 * provider, no hop), alternating, and (c) of the fixture called directly
 * with OllamaProvider by a helper process in the server's namespace.
 */
export async function benchRoutingOverhead (tasks: number): Promise<Record<string, unknown>> {
  const warmup = 10
  progress(`routing-overhead: client + server, ${warmup} warm-up then ${tasks} tasks each way`)
  const lan = await Lan.create(2)
  const procs: SmeshProcess[] = []
  const fixtures: FixtureProcess[] = []
  const apis: NodeApi[] = []
  const reply = pieces(8)
  try {
    const ns = (i: number): string => lan.hosts[i]?.ns as string
    const ollama = await FixtureProcess.start({ kind: 'ollama', ns: ns(1), script: { models: [llama(true)], reply, tokenDelayMs: 0, firstTokenDelayMs: 0 } })
    fixtures.push(ollama)
    const [client, server] = await startMesh([
      { ns: ns(0), name: 'client', env: nodeEnv({}) },
      { ns: ns(1), name: 'server', env: nodeEnv({ SMESH_OLLAMA_URL: ollama.url }) }
    ]) as [SmeshProcess, SmeshProcess]
    procs.push(client, server)
    await waitServing(client, 'server')
    await waitServing(server, 'server')
    const capi = await NodeApi.open(client.dataDir)
    const sapi = await NodeApi.open(server.dataDir)
    apis.push(capi, sapi)
    const meshBody = { prompt: PROMPT, model: MODEL }
    const localBody = { prompt: PROMPT, model: MODEL, residency: 'local' }
    const check = (r: TaskRun, device: string): void => {
      if (r.error != null) throw new Error(`a task failed: ${r.error.code}: ${r.error.message}`)
      if (r.outcome?.device !== device || r.text !== reply.join('')) throw new Error(`a task was served by ${r.outcome?.device ?? '?'} with text ${JSON.stringify(r.text)}`)
    }
    // a server admits 100 new tasks a second from one peer (burst 200; TaskServer ratePerPeer): one pair every PACE_MS stays well below
    const pace = async (start: number): Promise<void> => { await sleep(start + PACE_MS - performance.now()) }
    for (let i = 0; i < warmup; i++) {
      const start = performance.now()
      check(await runTask(capi, meshBody), 'server')
      check(await runTask(sapi, localBody), 'server')
      await pace(start)
    }
    progress('routing-overhead: measuring')
    const mesh: TaskRun[] = []
    const local: TaskRun[] = []
    for (let i = 0; i < tasks; i++) {
      const start = performance.now()
      const m = await runTask(capi, meshBody)
      check(m, 'server')
      mesh.push(m)
      const l = await runTask(sapi, localBody)
      check(l, 'server')
      local.push(l)
      await pace(start)
    }
    progress('routing-overhead: the fixture called directly from the server\'s namespace')
    const { stdout } = await execFileP('ip', ['netns', 'exec', ns(1), process.execPath, RAW_HELPER, '--url', ollama.url, '--model', MODEL, '--prompt', PROMPT, '--count', String(tasks), '--warm', String(warmup)], { timeout: 120_000 })
    const raw = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { ttftMs: number[], totalMs: number[] }
    const meshTtft = percentiles(mesh.map(r => r.ttftMs ?? NaN))
    const localTtft = percentiles(local.map(r => r.ttftMs ?? NaN))
    const rawTtft = percentiles(raw.ttftMs)
    const meshRouter = percentiles(mesh.map(r => r.outcome?.firstTokenMs ?? NaN))
    const localRouter = percentiles(local.map(r => r.outcome?.firstTokenMs ?? NaN))
    const paired = percentiles(mesh.map((m, i) => (m.ttftMs ?? NaN) - (local[i]?.ttftMs ?? NaN)))
    return {
      method: `sequential tasks, one at a time, alternating, a (mesh, localNode) pair started every ${PACE_MS} ms (below the rate a server admits from one peer): "mesh" = POST /v1/run on the client node (no model; routed over the namespace LAN to the server), "localNode" = POST /v1/run on the server node with residency local (its own provider, same fixture, no hop); TTFT = request sent (benchmark process, over the node's API Unix socket) to the first NDJSON text line. "rawFixture" = a helper process in the server's namespace calling the fixture with OllamaProvider.chat, request to first onText. routerFirstTokenMs = the TaskOutcome.firstTokenMs the routing node measured itself (router.run start to first piece, no API/NDJSON). Fixture: Ollama, 8 pieces, no first-token or inter-token delay. Warm-up: 10 tasks each way and 10 raw calls, not counted.`,
      tasks,
      ttftMs: { mesh: meshTtft, localNode: localTtft, rawFixture: rawTtft },
      totalMs: { mesh: percentiles(mesh.map(r => r.totalMs)), localNode: percentiles(local.map(r => r.totalMs)), rawFixture: percentiles(raw.totalMs) },
      routerFirstTokenMs: { mesh: meshRouter, localNode: localRouter },
      meshHopOverheadMs: {
        p50: round(meshTtft.p50 - localTtft.p50, 2),
        p99: round(meshTtft.p99 - localTtft.p99, 2),
        routerP50: round(meshRouter.p50 - localRouter.p50, 2),
        paired,
        note: 'p50, p99: mesh − localNode per percentile; routerP50: the same from the routers\' own firstTokenMs; paired: percentiles of (mesh − localNode) over the pairs of tasks run back to back, less sensitive to background load drifting during the run'
      },
      meshVsRawFixtureMs: { p50: round(meshTtft.p50 - rawTtft.p50, 2), p99: round(meshTtft.p99 - rawTtft.p99, 2) },
      localNodeVsRawFixtureMs: { p50: round(localTtft.p50 - rawTtft.p50, 2), p99: round(localTtft.p99 - rawTtft.p99, 2) },
      goal: { meshHopP50UnderMs: 5, met: meshTtft.p50 - localTtft.p50 < 5, metPaired: paired.p50 < 5 }
    }
  } finally {
    for (const a of apis) a.close()
    await Promise.all(procs.map(async p => { await p.stop() }))
    await Promise.all(fixtures.map(async f => { await f.stop() }))
    await lan.destroy()
  }
}

/**
 * Failover cost, on one LAN of a client (no model), a cloud box (Anthropic
 * fixture) and two devices A (warm) and B (cold) with the same Ollama model.
 * (a) A task allowed in the cloud, quality-first, whose first attempt gets a
 * 429 from the cloud: its time to first token against tasks served by A
 * without failover. (b) A streaming task on A, whose node is SIGKILLed after
 * the first text lines: the gap until the answer goes on from B.
 */
export async function benchRoutingFailover (reps: number): Promise<Record<string, unknown>> {
  progress(`routing-failover: client, cloudbox, A, B; ${reps} reps after a 429 and ${reps} after a killed peer`)
  const lan = await Lan.create(4)
  const procs: SmeshProcess[] = []
  const fixtures: FixtureProcess[] = []
  const apis: NodeApi[] = []
  const retryAfterS = 2
  /** Idle time before each baseline task, as the 429 task has (it waits out the cooldown): the previous task's bus records are written and replicated by then. */
  const BASELINE_IDLE_MS = 500
  const short = pieces(8)
  const long = pieces(20)
  try {
    const ns = (i: number): string => lan.hosts[i]?.ns as string
    const [claude, ollamaA, ollamaB] = await Promise.all([
      FixtureProcess.start({ kind: 'anthropic', ns: ns(1), script: { models: [{ name: 'claude-sonnet-4-5' }], reply: short, fail: { status: 429, retryAfterS } } }),
      FixtureProcess.start({ kind: 'ollama', ns: ns(2), script: { models: [llama(true)], reply: short, tokenDelayMs: 0 } }),
      FixtureProcess.start({ kind: 'ollama', ns: ns(3), script: { models: [llama(false)], reply: short, tokenDelayMs: 0 } })
    ])
    fixtures.push(claude, ollamaA, ollamaB)
    const envA = nodeEnv({ SMESH_OLLAMA_URL: ollamaA.url })
    const nodes = await startMesh([
      { ns: ns(0), name: 'client', env: nodeEnv({}) },
      { ns: ns(1), name: 'cloudbox', env: nodeEnv({ SMESH_ANTHROPIC_API_KEY: 'sk-ant-bench-0123456789', SMESH_ANTHROPIC_URL: claude.url }) },
      { ns: ns(2), name: 'A', env: envA },
      { ns: ns(3), name: 'B', env: nodeEnv({ SMESH_OLLAMA_URL: ollamaB.url }) }
    ]) as [SmeshProcess, SmeshProcess, SmeshProcess, SmeshProcess]
    procs.push(...nodes)
    const client = nodes[0]
    let a = nodes[2]
    for (const d of ['cloudbox', 'A', 'B']) await waitServing(client, d)
    const capi = await NodeApi.open(client.dataDir)
    apis.push(capi)

    // (a) after a 429
    const baseBody = { prompt: PROMPT, policy: 'quality-first', residency: 'mesh' }
    const cloudBody = { prompt: PROMPT, policy: 'quality-first', residency: 'cloud' }
    let lastRefusal = 0
    const coolDownOver = async (): Promise<void> => {
      await sleep(Math.max(0, lastRefusal + retryAfterS * 1000 + 300 - performance.now()))
      await waitFor(async () => (await client.api<ModelsView>('/v1/models')).models.every(m => m.cooldownUntil == null), { timeoutMs: 10_000, intervalMs: 50, what: 'the cloud provider\'s cooldown to end' })
    }
    const failover429 = async (): Promise<TaskRun & { retryAt: number, chats: number }> => {
      await coolDownOver()
      const before = (await claude.chats()).length
      const r = await runTask(capi, cloudBody)
      lastRefusal = performance.now()
      if (r.error != null) throw new Error(`the 429 task failed: ${r.error.code}: ${r.error.message}`)
      const assigns = r.lines.filter(l => l.line.type === 'assign')
      const retry = r.lines.find(l => l.line.type === 'retry')
      if (assigns[0]?.line.tier !== 'cloud' || retry?.line.code !== 'rate-limit' || r.outcome?.attempts !== 2 || r.outcome.device !== 'A' || r.text !== short.join('')) {
        throw new Error(`the 429 task did not go cloud → 429 → A: ${JSON.stringify(r.lines.map(l => l.line.type === 'text' ? 'text' : l.line))}`)
      }
      const chats = await waitFor(async () => { const n = (await claude.chats()).length - before; return n >= 1 ? n : undefined }, { timeoutMs: 5_000, intervalMs: 20, what: 'the cloud fixture to log the refused chat' })
      return { ...r, retryAt: retry.at, chats }
    }
    const baseline = async (): Promise<TaskRun> => {
      await sleep(BASELINE_IDLE_MS)
      const r = await runTask(capi, baseBody)
      if (r.error != null || r.outcome?.device !== 'A' || r.outcome.attempts !== 1) throw new Error(`a baseline task was not served by A at once: ${JSON.stringify(r.error ?? r.outcome)}`)
      return r
    }
    progress('routing-failover: warm-up (5 tasks on A, one 429)')
    for (let i = 0; i < 5; i++) await baseline()
    await failover429()
    const base: number[] = []
    const refused: number[] = []
    const refusedAt: number[] = []
    const extra: number[] = []
    let cloudChats = 0
    for (let r = 0; r < reps; r++) {
      progress(`routing-failover: 429 rep ${r + 1}/${reps}`)
      const b: number[] = []
      for (let i = 0; i < 3; i++) b.push((await baseline()).ttftMs ?? NaN)
      const f = await failover429()
      base.push(...b)
      refused.push(f.ttftMs ?? NaN)
      refusedAt.push(f.retryAt)
      extra.push((f.ttftMs ?? NaN) - median(b))
      cloudChats += f.chats
    }

    // (b) after a killed peer
    const fullLong = long.join('')
    await ollamaA.setScript({ models: [llama(true)], reply: long, tokenDelayMs: 50, continuation: true })
    await ollamaB.setScript({ models: [llama(false)], reply: long, tokenDelayMs: 50, continuation: true })
    const killBody = { prompt: PROMPT, model: MODEL }
    const aPeer = (await a.id()).peerId
    const gaps: Array<{ killToHandoffMs: number, killToAssignBMs: number, killToNextTextMs: number, holdbackMs: number, killToNextTextLessHoldbackMs: number, textLinesBeforeKill: number, partialChars: number, continuous: boolean, servedBy: string, attempts: number }> = []
    /** How long B's pace keeps the continuation held back: B sends the pieces after `partial`, 50 ms apart, until partial + 12 characters (at most 200) are in. */
    const holdback = (partial: string): number => {
      const want = Math.min(200, partial.length + 12)
      let held = 0
      let k = 0
      for (const p of long.join('').slice(partial.length).match(/\S+ /g) ?? []) {
        held += p.length
        k++
        if (held >= want) break
      }
      return (k - 1) * 50
    }
    const restartMs: number[] = []
    for (let r = 0; r < reps; r++) {
      progress(`routing-failover: kill rep ${r + 1}/${reps}`)
      const victim = a
      const pid = await nodePid(victim)
      let killAt = NaN
      let texts = 0
      let partial = ''
      const run = await runTask(capi, killBody, {
        onLine: (line) => {
          if (line.type === 'assign' && Number.isNaN(killAt) && line.device !== 'A') throw new Error(`the task went to ${line.device ?? '?'} first, not A`)
          if (line.type !== 'text' || !Number.isNaN(killAt)) return
          texts++
          partial += line.text ?? ''
          if (texts === 3) {
            killAt = performance.now()
            process.kill(pid, 'SIGKILL')
          }
        }
      })
      if (run.error != null) throw new Error(`the kill task failed: ${run.error.code}: ${run.error.message}`)
      const after = run.lines.filter(l => run.sentAt + l.at >= killAt)
      const since = (type: string, pred: (l: TaskLine) => boolean = () => true): number => {
        const hit = after.find(l => l.line.type === type && pred(l.line))
        return hit == null ? NaN : round(run.sentAt + hit.at - killAt, 1)
      }
      const hold = holdback(partial)
      gaps.push({
        killToHandoffMs: since('handoff'),
        killToAssignBMs: since('assign', l => l.device === 'B'),
        killToNextTextMs: since('text'),
        holdbackMs: hold,
        killToNextTextLessHoldbackMs: round(since('text') - hold, 1),
        textLinesBeforeKill: texts,
        partialChars: partial.length,
        continuous: run.text === fullLong,
        servedBy: run.outcome?.device ?? '?',
        attempts: run.outcome?.attempts ?? 0
      })
      // A comes back on its data dir, as after a crash
      await victim.waitExit(10_000)
      const t0 = performance.now()
      a = await SmeshProcess.start({ ns: ns(2), dataDir: victim.dataDir, name: 'A', env: envA, init: false })
      procs.push(a)
      if ((await a.id()).peerId !== aPeer) throw new Error('A came back as another peer')
      await waitServing(a, 'A')
      await waitServing(client, 'A')
      restartMs.push(performance.now() - t0)
      // A serves again: one whole task goes there (its advert with its models reached the client), and the success
      // resets the client's count of A's failures in a row (three open its circuit breaker for 30 s)
      await waitFor(async () => (await runTask(capi, killBody)).outcome?.device === 'A', { timeoutMs: 20_000, intervalMs: 200, what: 'a task served by the restarted A' })
    }
    const gapOf = (k: 'killToHandoffMs' | 'killToAssignBMs' | 'killToNextTextMs' | 'killToNextTextLessHoldbackMs'): ReturnType<typeof summarize> => summarize(gaps.map(g => g[k]))
    return {
      after429: {
        method: `the cloud fixture answers every chat with 429, Retry-After ${retryAfterS} s (short, so each rep meets a fresh 429: the cooldown, in the cloud box's executor, its advert and the client's router, is waited out before each 429 task). 429 task: POST /v1/run on the client, policy quality-first, residency cloud, no model (best) → claude on cloudbox first, 429, then A (warm Ollama fixture, 8 pieces, no delays). Baseline: 3 tasks per rep, each after ${BASELINE_IDLE_MS} ms idle (the 429 task follows ≥ 2 s idle), policy quality-first, residency mesh → A at once. TTFT = request to first NDJSON text line. failoverExtraMs = TTFT(429 task) − median TTFT of that rep's 3 baselines. refusalSeenMs = request to the retry line (the 429 back at the client). One warm-up rep not counted.`,
        retryAfterS,
        reps,
        baselineTtftMs: summarize(base),
        failoverTtftMs: summarize(refused),
        refusalSeenMs: summarize(refusedAt),
        failoverExtraMs: summarize(extra),
        cloudChatsPerFailover: round(cloudChats / reps, 2)
      },
      afterKill: {
        method: 'A (warm: chosen first) and B (cold) have the same model on Ollama fixtures with continuation, 20 pieces 50 ms apart. A task from the client (model llama3.2:3b, residency mesh) starts on A; once the 3rd text line arrives, the benchmark SIGKILLs A\'s node process (its pid checked in /proc). Gaps from that kill to the task\'s handoff line, to its assign to B, and to the next text line (from B). The router holds back the first partialChars + 12 characters of a continuation to strip any repeat (packages/tasks/src/continuation.ts), so the text gap includes B\'s pace for those characters: holdbackMs = (pieces B must send to reach them − 1) × 50 ms, and killToNextTextLessHoldbackMs is the gap without it (detection, re-routing, B\'s stream and first piece). continuous = the final text equals the full reply exactly. A is restarted on its data dir between reps (restartToServingMs: spawn to the client connected to it and listing its models), then serves one whole task before the next rep (the success clears the client\'s count of A\'s failures in a row: three in a row open a candidate\'s circuit breaker for 30 s, and the task would start on B).',
        reps,
        killToHandoffMs: gapOf('killToHandoffMs'),
        killToAssignBMs: gapOf('killToAssignBMs'),
        killToNextTextMs: gapOf('killToNextTextMs'),
        killToNextTextLessHoldbackMs: gapOf('killToNextTextLessHoldbackMs'),
        allContinuous: gaps.every(g => g.continuous),
        allServedByB: gaps.every(g => g.servedBy === 'B'),
        restartToServingMs: summarize(restartMs),
        perRep: gaps
      }
    }
  } finally {
    for (const x of apis) x.close()
    await Promise.all(procs.map(async p => { await p.stop() }))
    await Promise.all(fixtures.map(async f => { await f.stop() }))
    await lan.destroy()
  }
}
