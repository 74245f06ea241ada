import { writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { LlamaProvider, ModelStore } from '@smesh/llama'
import { apiGet, apiStream } from '@smesh/node'
import { tinyModel } from '../fixtures/tiny-gguf.js'
import { SmeshProcess, cleanEnv, waitFor } from '../src/harness/smesh-process.js'
import { tempDir } from '../src/harness/tmp.js'
import { clockTicksPerSec, round, sleep } from './bus-common.js'
import { cpuTicks } from './idle.js'
import { nodePid } from './routing.js'
import { percentiles, progress } from './stats.js'
import type { ModelsView, StatusView } from '@smesh/node'

/**
 * The embedded provider's costs, with the tiny model of
 * test/fixtures/tiny-gguf.ts (CPU, one thread):
 * - tokens per second of the same request direct through node-llama-cpp
 *   (the provider in this process), through POST /v1/run on another node
 *   (what `smesh run` reads) and through that node's OpenAI gateway
 *   (streamed); the ratios are the mesh's cost;
 * - the model's load time; the serving node's event-loop delay p99 while
 *   it generates without pause; the idle RSS and CPU of a node with the
 *   provider configured and a model on disk, never loaded.
 * Nodes run in the host namespace on loopback, mDNS off, static peers.
 */

const MODEL = 'tiny'
const PROMPT = 'hello mesh'
const TOKENS = 200

const p2 = (xs: number[]): Record<string, number> => {
  const p = percentiles(xs)
  return { n: p.n, p50: round(p.p50, 1), p90: round(p.p90, 1), max: round(p.max, 1) }
}

/** Output tokens per second after the first token: what the stream delivers once it runs. */
const rate = (tokens: number, firstMs: number, totalMs: number): number => (tokens - 1) / ((totalMs - firstMs) / 1000)

async function rssMiB (pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return round(Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024, 1)
}

async function direct (file: string, reps: number): Promise<{ loadMs: number, tokensPerS: Record<string, number> }> {
  const dir = tempDir('smesh-bench-llama')
  await new ModelStore(join(dir, 'models')).add(file, { name: MODEL })
  const p = new LlamaProvider({ dir: join(dir, 'models'), settings: { gpu: 'none', threads: 1, contextSize: 512 } })
  try {
    await p.models()
    await p.chat({ model: MODEL, messages: [{ role: 'user', content: PROMPT }], maxTokens: 4 })
    const loadMs = p.loadMs(MODEL) ?? 0
    const rates: number[] = []
    for (let i = 0; i < reps; i++) {
      const r = await p.chat({ model: MODEL, messages: [{ role: 'user', content: PROMPT }], maxTokens: TOKENS, seed: i })
      rates.push(rate(r.usage.outputTokens, r.firstTokenMs ?? 0, r.totalMs))
    }
    return { loadMs, tokensPerS: p2(rates) }
  } finally {
    await p.close()
  }
}

/** One task through the client's control API (/v1/run, as smesh run reads it): tokens per second as the stream arrives. */
async function viaRun (client: SmeshProcess, seed: number): Promise<number> {
  const started = performance.now()
  let first = 0
  let tokens = 0
  const res = await apiStream(client.dataDir, 'POST', '/v1/run', { prompt: PROMPT, model: MODEL, maxTokens: TOKENS, temperature: 0.8 + seed * 1e-3 })
  let buf = ''
  for await (const chunk of res) {
    buf += String(chunk)
    let i
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = JSON.parse(buf.slice(0, i)) as { type: string, result?: { outputTokens: number } }
      buf = buf.slice(i + 1)
      if (line.type === 'text' && first === 0) first = performance.now() - started
      if (line.type === 'done') tokens = line.result?.outputTokens ?? 0
      if (line.type === 'error') throw new Error(JSON.stringify(line))
    }
  }
  return rate(tokens, first, performance.now() - started)
}

/** One streamed chat through the client's OpenAI gateway: tokens per second as the chunks arrive. */
async function viaGateway (url: string, key: string): Promise<number> {
  const started = performance.now()
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: PROMPT }], max_tokens: TOKENS, stream: true, stream_options: { include_usage: true } })
  })
  if (!res.ok || res.body == null) throw new Error(`gateway: HTTP ${res.status} ${await res.text()}`)
  let first = 0
  let tokens = 0
  let buf = ''
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += Buffer.from(chunk).toString()
    let i
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const event = buf.slice(0, i).replace(/^data: /, '')
      buf = buf.slice(i + 2)
      if (event === '[DONE]') continue
      const c = JSON.parse(event) as { choices: Array<{ delta?: { content?: string } }>, usage?: { completion_tokens: number } }
      if (first === 0 && (c.choices[0]?.delta?.content ?? '') !== '') first = performance.now() - started
      if (c.usage != null) tokens = c.usage.completion_tokens
    }
  }
  return rate(tokens, first, performance.now() - started)
}

export async function benchLlama (options: { reps: number, loadSeconds: number, idleSeconds: number }): Promise<Record<string, unknown>> {
  progress(`llama: ${options.reps} tasks of ${TOKENS} tokens each way, ${options.loadSeconds} s of generation, ${options.idleSeconds} s idle`)
  const file = join(tempDir('smesh-bench-gguf'), 'tiny.gguf')
  writeFileSync(file, tinyModel({ contextLength: 512 }))
  const own = await direct(file, options.reps)
  const procs: SmeshProcess[] = []
  try {
    const args = (peers: string[]): string[] => ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0', ...peers.flatMap(a => ['--peer', a])]
    const env = cleanEnv({ SMESH_OLLAMA_URL: 'off' })
    const serverDir = tempDir('smesh-bench-server')
    writeFileSync(join(serverDir, 'config.json'), JSON.stringify({ providers: [{ name: 'llama', kind: 'llama', gpu: 'none', threads: 1, contextSize: 512 }] }))
    await new ModelStore(join(serverDir, 'models')).add(file, { name: MODEL })
    const client = await SmeshProcess.start({ name: 'client', args: args([]), env: cleanEnv({ SMESH_OLLAMA_URL: 'off', SMESH_LLAMA: 'off' }) })
    procs.push(client)
    const server = await SmeshProcess.start({ name: 'server', dataDir: serverDir, join: await client.invite(), args: args([(await client.id()).listenAddrs[0] as string]), env })
    procs.push(server)
    await waitFor(async () => (await apiGet<ModelsView>(client.dataDir, '/v1/models')).models.some(m => m.model === MODEL), { timeoutMs: 30_000, what: 'the client to see the model' })
    // idle first: the model is on disk and advertised, never loaded
    const pid = await nodePid(server)
    const clientPid = await nodePid(client)
    await sleep(5_000)
    const c0 = await cpuTicks(pid)
    const cc0 = await cpuTicks(clientPid)
    const w0 = performance.now()
    await sleep(options.idleSeconds * 1000)
    const share = async (p: number, t0: number): Promise<number> => round(((await cpuTicks(p)) - t0) / clockTicksPerSec() / ((performance.now() - w0) / 1000) * 100, 2)
    // the client is the same node without the embedded provider (SMESH_LLAMA=off): the baseline
    const idle = { seconds: options.idleSeconds, cpuPercent: await share(pid, c0), rssMiB: await rssMiB(pid), withoutProvider: { cpuPercent: await share(clientPid, cc0), rssMiB: await rssMiB(clientPid) } }
    const loadStarted = performance.now()
    await viaRun(client, 0)
    const firstTaskMs = round(performance.now() - loadStarted, 0)
    const key = await client.gatewayKey('bench')
    const url = await client.gateway()
    const runRates: number[] = []
    const gatewayRates: number[] = []
    for (let i = 0; i < options.reps; i++) {
      runRates.push(await viaRun(client, i))
      gatewayRates.push(await viaGateway(url, key))
    }
    // the serving node generates without pause for a full 10 s health window and more; its event loop is read after
    const until = performance.now() + options.loadSeconds * 1000
    let generated = 0
    while (performance.now() < until) { await viaRun(client, generated); generated++ }
    const status = await apiGet<StatusView>(server.dataDir, '/v1/status')
    const loadedRss = await rssMiB(pid)
    const d = own.tokensPerS.p50 as number
    const r = p2(runRates)
    const g = p2(gatewayRates)
    return {
      model: { bytes: tinyModel({ contextLength: 512 }).length, contextLength: 512, threads: 1 },
      loadMs: own.loadMs,
      firstTaskThroughMeshMs: firstTaskMs,
      tokensPerS: { direct: own.tokensPerS, smeshRun: r, gateway: g },
      ratioToDirect: { smeshRun: round((r.p50 as number) / d, 2), gateway: round((g.p50 as number) / d, 2) },
      servingNodeWhileGenerating: { tasks: generated, seconds: options.loadSeconds, eventLoopDelayMs: status.health.eventLoop, rssMiB: loadedRss },
      idleWithProvider: idle
    }
  } finally {
    await Promise.all(procs.map(async p => { await p.stop() }))
  }
}
