import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { apiGet, apiPost } from '@smesh/node'
import { onCleanup } from './cleanup.js'
import { tempDir } from './tmp.js'
import type { IdView, StatusView } from '@smesh/node'
import type { PeerView, Topology } from '@smesh/mesh'
import type { AuthorView, EntryView, MemoryItem } from '@smesh/bus'
import type { ChildProcess } from 'node:child_process'

/** The real CLI entry point, as a user runs it. */
export const SMESH_BIN = fileURLToPath(new URL('../../../../node/bin/smesh.js', import.meta.url))

/** A process this harness started and did not stop is ended by its PID when the test process ends. */
export function track (child: ChildProcess): void {
  const done = onCleanup(() => {
    if (child.pid != null && child.exitCode == null && child.signalCode == null) {
      try { process.kill(child.pid, 'SIGKILL') } catch { /* already gone */ }
    }
  })
  child.once('exit', done)
}

/**
 * The bin is executed as a user's shell would: its shebang picks `node` from
 * PATH (bootstrap/node.sh puts Node >= 22 first) with the V8 flags it sets.
 */
function command (ns: string | undefined, args: string[], wrap?: string[]): [string, string[]] {
  const [cmd, argv]: [string, string[]] = ns == null ? [SMESH_BIN, args] : ['ip', ['netns', 'exec', ns, SMESH_BIN, ...args]]
  return wrap == null ? [cmd, argv] : [wrap[0] as string, [...wrap.slice(1), cmd, ...argv]]
}

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** A `smesh` CLI command as it runs: its process, what it printed so far, and its end. */
export interface CliRun {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  done: Promise<CliResult>
}

/** Starts one `smesh` CLI command (inside `ns` when given); ended by its PID if the tests end first. */
export function spawnCli (args: string[], options: { ns?: string, env?: NodeJS.ProcessEnv, timeoutMs?: number, signal?: AbortSignal } = {}): CliRun {
  const [cmd, argv] = command(options.ns, args)
  const child = spawn(cmd, argv, { env: options.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'], signal: options.signal })
  track(child)
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString() })
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000)
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
  return { child, stdout: () => stdout, stderr: () => stderr, done }
}

/** Runs one `smesh` CLI command to completion (inside `ns` when given). */
export async function runCli (args: string[], options: { ns?: string, env?: NodeJS.ProcessEnv, timeoutMs?: number, signal?: AbortSignal } = {}): Promise<CliResult> {
  return await spawnCli(args, options).done
}

/** The environment without any SMESH_* variable of the caller. */
export function cleanEnv (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SMESH_')))
  return { ...env, ...extra }
}

export interface StartOptions {
  /** Network namespace to run in; none = the host's (then pass --no-mdns). */
  ns?: string
  dataDir?: string
  name?: string
  /** A join token: the node runs `smesh join TOKEN` (join, then start) instead of `smesh start`. */
  join?: string
  /** A data dir of no mesh gets one with `smesh init` first, unless this is false. */
  init?: boolean
  /** The name `smesh init` gives the mesh (default "test mesh"). */
  meshName?: string
  /** Further `smesh start` flags. */
  args?: string[]
  env?: NodeJS.ProcessEnv
  /** Wait until the control API answers (default true). */
  waitReady?: boolean
  /** A command the node runs under (it execs the node last): a private mount namespace, a fault injector. */
  wrap?: string[]
}

/** A real `smesh start` process. */
export class SmeshProcess {
  readonly child: ChildProcess
  readonly dataDir: string
  readonly ns?: string
  readonly name: string
  stdout = ''
  stderr = ''
  /** Date.now() right before the process was spawned. */
  readonly spawnedAt: number
  private readonly exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>

  private constructor (options: StartOptions) {
    this.dataDir = options.dataDir ?? tempDir('smesh-node')
    this.ns = options.ns
    this.name = options.name ?? 'node'
    const args = [...(options.join != null ? ['join', options.join] : ['start']), '--data-dir', this.dataDir, '--name', this.name, '--api-port', '0', '--api-socket', join(this.dataDir, 'api.sock')]
    args.push(...(options.args ?? []))
    // nodes of one test share a network namespace's loopback: each gateway takes a free port unless told otherwise
    if (!args.includes('--gateway-listen')) args.push('--gateway-listen', '127.0.0.1:0')
    const [cmd, argv] = command(options.ns, args, options.wrap)
    this.spawnedAt = Date.now()
    this.child = spawn(cmd, argv, { env: options.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
    track(this.child)
    this.child.stdout?.on('data', (d: Buffer) => { this.stdout += d.toString() })
    this.child.stderr?.on('data', (d: Buffer) => { this.stderr += d.toString() })
    this.exited = new Promise(resolve => this.child.once('exit', (code, signal) => { resolve({ code, signal }) }))
  }

  static async start (options: StartOptions = {}): Promise<SmeshProcess> {
    if (options.join == null && options.init !== false) {
      options = { ...options, dataDir: options.dataDir ?? tempDir('smesh-node') }
      const dir = options.dataDir as string
      if (!existsSync(join(dir, 'mesh.json'))) {
        const r = await runCli(['init', '--data-dir', dir, '--name', options.meshName ?? 'test mesh'], { env: options.env })
        if (r.code !== 0) throw new Error(`smesh init failed (${String(r.code)}):\n${r.stderr}`)
      }
    }
    const p = new SmeshProcess(options)
    if (options.waitReady !== false) await p.ready()
    return p
  }

  get pid (): number {
    return this.child.pid ?? -1
  }

  get running (): boolean {
    return this.child.exitCode == null && this.child.signalCode == null
  }

  /** Resolves when the control API answers; rejects with the node's stderr if it exits first. */
  async ready (timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`smesh node ${this.name} exited (${String(this.child.exitCode ?? this.child.signalCode)}) before it was ready:\n${this.stderr}`)
      try {
        const id = await apiGet<IdView>(this.dataDir, '/v1/id', { signal: AbortSignal.timeout(2_000) })
        if (id.peerId !== '') return
      } catch {
        // not up yet
      }
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    throw new Error(`smesh node ${this.name} not ready after ${timeoutMs} ms:\n${this.stderr}`)
  }

  async api <T> (path: string): Promise<T> {
    return await apiGet<T>(this.dataDir, path, { signal: AbortSignal.timeout(5_000) })
  }

  async post <T> (path: string, body: unknown): Promise<T> {
    return await apiPost<T>(this.dataDir, path, body, { signal: AbortSignal.timeout(30_000) })
  }

  async id (): Promise<IdView> { return await this.api<IdView>('/v1/id') }
  /** A single-use join token from this (admin) node. */
  async invite (options: { scopes?: string, ttlMs?: number, leaseMs?: number, renew?: boolean } = {}): Promise<string> {
    return (await this.post<{ token: string }>('/v1/invite', options)).token
  }
  async heads (): Promise<AuthorView[]> { return await this.api<AuthorView[]>('/v1/bus/heads') }
  async memory (prefix = ''): Promise<MemoryItem[]> { return await this.api<MemoryItem[]>(`/v1/memory/list?prefix=${encodeURIComponent(prefix)}`) }
  async memorySet (key: string, value: unknown): Promise<EntryView> { return await this.post<EntryView>('/v1/memory/set', { key, value }) }
  /** Heads as "author:seq:hash" strings, sorted: equal on two nodes when they hold the same chains. */
  async headsKey (): Promise<string> { return (await this.heads()).map(h => `${h.author}:${h.seq}:${h.head}`).sort().join(',') }
  async peers (): Promise<PeerView[]> { return await this.api<PeerView[]>('/v1/peers') }
  async status (): Promise<StatusView> { return await this.api<StatusView>('/v1/status') }
  async topology (): Promise<Topology> { return await this.api<Topology>('/v1/topology') }
  /** The gateway's URL (http://127.0.0.1:PORT). */
  async gateway (): Promise<string> {
    const url = (await this.status()).gateway
    if (url == null) throw new Error(`node ${this.name} runs no gateway`)
    return url
  }
  /** A new gateway key of this node. */
  async gatewayKey (name: string, policy: { residency?: string, models?: string, ratePerS?: number, expiresInMs?: number } = {}): Promise<string> {
    return (await this.post<{ key: string }>('/v1/gateway/keys', { name, ...policy })).key
  }

  /** Runs a CLI command against this node, in its namespace, as a user would. */
  async cli (args: string[]): Promise<CliResult> {
    return await runCli([...args, '--data-dir', this.dataDir], { ns: this.ns })
  }

  kill (signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.running) this.child.kill(signal)
  }

  async waitExit (timeoutMs = 15_000): Promise<{ code: number | null, signal: NodeJS.Signals | null }> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => { reject(new Error(`smesh node ${this.name} did not exit within ${timeoutMs} ms`)) }, timeoutMs)
    })
    try {
      return await Promise.race([this.exited, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  /** SIGTERM, then SIGKILL if it does not stop in time. */
  async stop (): Promise<void> {
    if (!this.running) return
    this.kill('SIGTERM')
    try {
      await this.waitExit(10_000)
    } catch {
      this.kill('SIGKILL')
      await this.waitExit(5_000)
    }
  }
}

/** Polls `check` until it returns a value other than undefined/false. */
export async function waitFor <T> (check: () => Promise<T | undefined | false> | T | undefined | false, options: { timeoutMs: number, intervalMs?: number, what: string }): Promise<T> {
  const deadline = Date.now() + options.timeoutMs
  let last: unknown
  while (true) {
    try {
      const v = await check()
      if (v !== undefined && v !== false) return v
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${last != null ? ` (last error: ${String(last)})` : ''}`)
    }
    await new Promise(resolve => setTimeout(resolve, options.intervalMs ?? 100))
  }
}
