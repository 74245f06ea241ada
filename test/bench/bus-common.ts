import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { ApiClient } from '@smesh/node'
import { ip } from '../src/harness/exec.js'
import { Lan } from '../src/harness/lan.js'
import { SmeshProcess, waitFor } from '../src/harness/smesh-process.js'
import { progress } from './stats.js'
import type { BusStatusView } from '@smesh/node'
import type { IncomingMessage } from 'node:http'

/**
 * Shared pieces of the bus benchmarks: bodies, load loops, a keep-alive
 * control-API client, a follower of /v1/bus/follow, delivery latencies, a
 * namespace LAN of bus nodes, and interface byte counters.
 */

/** The mesh name bus-verify's bundle carries (a label: the bundle is made and checked without a running mesh). */
export const MESH = 'bench'
/** Not a well-known kind: the body is carried as opaque bytes, no view is updated. */
export const KIND = 'bench.data'

export async function sleep (ms: number): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, ms))
}

/** High-resolution wall-clock ms, comparable with the `at` of /v1/bus/follow lines. */
export function wallMs (): number {
  return performance.timeOrigin + performance.now()
}

export function round (v: number, digits = 1): number {
  const f = 10 ** digits
  return Math.round(v * f) / f
}

/** `count` distinct random bodies of `size` bytes, to be used round-robin. */
export function randomBodies (count: number, size: number): Uint8Array[] {
  return Array.from({ length: count }, () => new Uint8Array(randomBytes(size)))
}

/** Calls `fn` in a tight loop for about `seconds`; returns calls per second. */
export function rateSync (seconds: number, fn: (i: number) => void): { ops: number, perSec: number } {
  const start = performance.now()
  const end = start + seconds * 1000
  let ops = 0
  while (performance.now() < end) fn(ops++)
  return { ops, perSec: round(ops / ((performance.now() - start) / 1000)) }
}

/**
 * Closed loop: `concurrency` workers each call `fn` and await it, again and
 * again, until `seconds` have passed or `count` calls were started. The time
 * runs until the last call has finished.
 */
export async function closedLoop (concurrency: number, limit: { seconds?: number, count?: number }, fn: (i: number) => Promise<unknown>): Promise<{ ops: number, ms: number, perSec: number }> {
  const start = performance.now()
  const end = limit.seconds != null ? start + limit.seconds * 1000 : Infinity
  const max = limit.count ?? Infinity
  let started = 0
  let ops = 0
  const worker = async (): Promise<void> => {
    while (started < max && performance.now() < end) {
      await fn(started++)
      ops++
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  const ms = performance.now() - start
  return { ops, ms: round(ms), perSec: round(ops / (ms / 1000)) }
}

/**
 * Open loop: starts `fn(i)` for i = 0..count-1 at `perSec` calls per second
 * from `startAt` (performance.now() ms), without waiting for earlier calls.
 * Resolves with every call's outcome once all have settled.
 */
export async function openLoop <T> (perSec: number, count: number, fn: (i: number) => Promise<T>, startAt = performance.now()): Promise<Array<PromiseSettledResult<T>>> {
  const calls: Array<Promise<T>> = []
  for (let i = 0; i < count; i++) {
    const due = startAt + (i * 1000) / perSec
    const wait = due - performance.now()
    if (wait > 1) await sleep(wait)
    calls.push(fn(i))
  }
  return await Promise.allSettled(calls)
}

/** Clock ticks per second of /proc/PID/stat CPU times (see idle.ts cpuTicks). */
export function clockTicksPerSec (): number {
  return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())
}

/** CPU seconds used so far by this process. */
export function ownCpuSeconds (): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

/** An entry as POST /v1/bus/append returns it (the fields used here). */
export interface AppendedView { hash: string, author: string, seq: string, size: number }

/**
 * A control-API client for one node that reads the node's API info once and
 * keeps its connections open (the CLI's apiPost opens one per request and
 * rereads two files each time: too much client load at hundreds of requests
 * per second on two cores): the node package's ApiClient with keep-alive.
 * The harness starts every node with an API socket, which works across
 * network namespaces.
 */
export class NodeApi {
  private constructor (private readonly api: ApiClient) {}

  static async open (dataDir: string): Promise<NodeApi> {
    return new NodeApi(await ApiClient.open(dataDir, { keepAlive: true }))
  }

  get dataDir (): string {
    return this.api.dataDir
  }

  /** Sends a request; resolves with the response once its headers are in (status 200), else rejects with the node's error. */
  async stream (method: 'GET' | 'POST', path: string, body?: unknown, options: { signal?: AbortSignal, keepAlive?: boolean } = {}): Promise<IncomingMessage> {
    return await this.api.stream(method, path, body, options)
  }

  async request <T> (method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = 30_000): Promise<T> {
    return await this.api.request<T>(method, path, body, { timeoutMs })
  }

  async get <T> (path: string): Promise<T> {
    return await this.request<T>('GET', path)
  }

  async post <T> (path: string, body: unknown): Promise<T> {
    return await this.request<T>('POST', path, body)
  }

  async status (): Promise<BusStatusView> {
    return await this.get<BusStatusView>('/v1/bus/status')
  }

  /** Appends one opaque entry of kind bench.data (body given as base64). */
  async append (bodyBase64: string): Promise<AppendedView> {
    return await this.post<AppendedView>('/v1/bus/append', { kind: KIND, bodyBase64 })
  }

  close (): void {
    this.api.close()
  }
}

const LINE_HEAD = /^\{"hash":"([0-9a-f]{64})"/
const LINE_AT = /,"at":([0-9.eE+-]+)\}$/

/**
 * Reads GET /v1/bus/follow of one node and records, per entry hash, the
 * `at` the node gave it (when it stored the entry). Lines are picked apart
 * with two anchored patterns rather than parsed whole: at hundreds of
 * entries per second times five nodes, JSON.parse of 1 KiB-body lines would
 * load the benchmark process more than the nodes.
 */
export class Follower {
  readonly at = new Map<string, number>()
  error?: string
  private readonly controller = new AbortController()
  private rest = ''

  private constructor (readonly name: string) {}

  /** Resolves once the node has answered (its first byte is out): entries stored from then on are seen. */
  static async open (api: NodeApi, name: string): Promise<Follower> {
    const f = new Follower(name)
    const res = await api.stream('GET', '/v1/bus/follow', undefined, { signal: f.controller.signal, keepAlive: false })
    res.setEncoding('utf8')
    await new Promise<void>((resolve, reject) => {
      res.on('data', (chunk: string) => { f.take(chunk); resolve() })
      res.on('error', (err: Error) => {
        if (!f.controller.signal.aborted) f.error = err.message
        reject(err)
      })
      res.on('end', () => { if (!f.controller.signal.aborted) f.error ??= 'the follow stream ended' })
    })
    return f
  }

  private take (chunk: string): void {
    const lines = (this.rest + chunk).split('\n')
    this.rest = lines.pop() ?? ''
    for (const line of lines) {
      if (line === '') continue
      const h = LINE_HEAD.exec(line)
      const a = LINE_AT.exec(line)
      if (h?.[1] != null && a?.[1] != null) {
        this.at.set(h[1], Number(a[1]))
        continue
      }
      try {
        const v = JSON.parse(line) as { hash?: string, at?: number, error?: string }
        if (v.error != null) this.error = v.error
        else if (v.hash != null && v.at != null) this.at.set(v.hash, v.at)
      } catch {
        this.error = `unreadable follow line: ${line.slice(0, 120)}`
      }
    }
  }

  close (): void {
    this.controller.abort()
  }
}

export interface Written { hash: string, writer: number }

/** Waits until every follower has seen every entry, or `timeoutMs`; returns how many (entry, follower) pairs are missing. */
export async function waitDelivered (written: Written[], followers: Follower[], timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs
  while (true) {
    let missing = 0
    for (const w of written) for (const f of followers) if (!f.at.has(w.hash)) missing++
    if (missing === 0 || Date.now() > deadline) return missing
    const broken = followers.find(f => f.error != null)
    if (broken != null) throw new Error(`following ${broken.name} failed: ${broken.error ?? ''}`)
    await sleep(50)
  }
}

/**
 * Replication latency per (entry, receiver): when the receiver stored the
 * entry minus when its writer stored it, both as the nodes' own follow
 * lines report. Receivers are all followers but the writer's.
 */
export function deliveryLatencies (written: Written[], followers: Follower[]): { samples: number[], delivered: number, expected: number } {
  const samples: number[] = []
  let expected = 0
  for (const w of written) {
    const t0 = followers[w.writer]?.at.get(w.hash)
    for (const [i, f] of followers.entries()) {
      if (i === w.writer) continue
      expected++
      const t = f.at.get(w.hash)
      if (t != null && t0 != null) samples.push(t - t0)
    }
  }
  return { samples, delivered: samples.length, expected }
}

/** A namespace LAN with one smesh node per host, all in one mesh (the first made it, the others joined), converged and with bus sync idle. */
export interface BusLan {
  lan: Lan
  nodes: SmeshProcess[]
  apis: NodeApi[]
}

/** Runs `fn` on a fresh BusLan of `n` nodes; everything is stopped and removed afterwards, however `fn` ends. */
export async function withBusLan <T> (n: number, label: string, fn: (bl: BusLan) => Promise<T>): Promise<T> {
  const lan = await Lan.create(n)
  const nodes: SmeshProcess[] = []
  const apis: NodeApi[] = []
  try {
    progress(`${label}: starting ${n} nodes in the namespace LAN`)
    // the first node makes the mesh (smesh init); the others join it with tokens from the first, in parallel
    const [first, ...rest] = lan.hosts
    if (first == null) throw new Error('a bus LAN needs at least one host')
    const root = await SmeshProcess.start({ ns: first.ns, name: `${label}${first.index}` })
    nodes.push(root)
    const tokens: string[] = []
    for (let i = 0; i < rest.length; i++) tokens.push(await root.invite())
    const started = await Promise.allSettled(rest.map(async (h, i) => await SmeshProcess.start({ ns: h.ns, name: `${label}${h.index}`, join: tokens[i] })))
    for (const s of started) if (s.status === 'fulfilled') nodes.push(s.value)
    const failed = started.find(s => s.status === 'rejected')
    if (failed != null) throw failed.reason
    for (const p of nodes) apis.push(await NodeApi.open(p.dataDir))
    await Promise.all(nodes.map(async p => {
      await waitFor(async () => { const ps = await p.peers(); return ps.length === n - 1 && ps.every(x => x.connected) }, { timeoutMs: 30_000, what: `${p.name} to list and connect to every peer` })
    }))
    await waitSyncIdle(apis, n - 1)
    return await fn({ lan, nodes, apis })
  } finally {
    for (const a of apis) a.close()
    await Promise.all(nodes.map(async p => { await p.stop() }))
    await lan.destroy()
  }
}

/** Waits until each node has synced the bus with `peers` peers at least once and no sync runs. */
export async function waitSyncIdle (apis: NodeApi[], peers: number, timeoutMs = 30_000): Promise<void> {
  await Promise.all(apis.map(async a => {
    await waitFor(async () => {
      const s = await a.status()
      return s.peers.length >= peers && s.peers.every(p => p.lastSyncAt != null && !p.syncing)
    }, { timeoutMs, what: 'bus sync to be idle' })
  }))
}

/** Appends `perWriter` entries on each writer and waits until every node has them: JIT, gossipsub mesh and follow streams warmed up. */
export async function warmUp (bl: BusLan, writers: number[], followers: Follower[], body: string, perWriter = 5): Promise<void> {
  const written: Written[] = []
  for (let i = 0; i < perWriter; i++) {
    for (const w of writers) written.push({ hash: (await (bl.apis[w] as NodeApi).append(body)).hash, writer: w })
    await sleep(100)
  }
  const missing = await waitDelivered(written, followers, 20_000)
  if (missing > 0) throw new Error(`warm-up: ${missing} (entry, node) deliveries missing after 20 s`)
  await sleep(1_000)
}

/** Byte and packet counters of a host's LAN interface (eth0 in its namespace). */
export async function linkCounters (ns: string): Promise<{ txBytes: number, rxBytes: number, txPackets: number, rxPackets: number }> {
  const [link] = JSON.parse(await ip('-n', ns, '-j', '-s', 'link', 'show', 'dev', 'eth0')) as Array<{ stats64: { tx: { bytes: number, packets: number }, rx: { bytes: number, packets: number } } }>
  if (link == null) throw new Error(`no eth0 in ${ns}`)
  return { txBytes: link.stats64.tx.bytes, rxBytes: link.stats64.rx.bytes, txPackets: link.stats64.tx.packets, rxPackets: link.stats64.rx.packets }
}
