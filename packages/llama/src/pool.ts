import { freemem, totalmem } from 'node:os'
import { ProviderError } from '@smesh/inference'
import { llamaFor } from './runtime.js'
import type { GpuSetting } from './runtime.js'
import type { StoredModel } from './store.js'
import type { Llama, LlamaChat, LlamaContext, LlamaEmbeddingContext, LlamaModel } from 'node-llama-cpp'

export interface PoolSettings {
  gpu: GpuSetting
  /** Layers on the GPU: auto (as many as fit), max, or a number (0: CPU only). */
  gpuLayers: number | 'auto' | 'max'
  threads: number
  /** Largest context a model gets (its trained context, if smaller). */
  contextSize: number
  /** Requests one model runs at once (its context's sequences). */
  parallel: number
  /** Requests that may wait for a model beyond those; more are refused as busy. */
  maxQueue: number
  /** Models in memory at once. */
  maxLoaded: number
  /** How long a model stays in memory after its last request. */
  keepAliveMs: number
  /** Idle models are unloaded while free memory is under this share of the total. */
  minFreeShare: number
}

/** A model in memory: its context with one chat per sequence, the chats free now, and who waits for one. */
interface Loaded {
  name: string
  sha256: string
  llama: Llama
  model: LlamaModel
  context: LlamaContext
  contextSize: number
  free: LlamaChat[]
  waiters: Array<{ take: (chat: LlamaChat) => void, fail: (err: Error) => void }>
  active: number
  lastUsed: number
  embedding?: Promise<LlamaEmbeddingContext>
  embedChain: Promise<unknown>
  /** Unloaded while in use: freed when its last request ends. */
  retiring: boolean
}

export interface Lease {
  llama: Llama
  model: LlamaModel
  chat: LlamaChat
  contextSize: number
  release: () => void
}

const SWEEP_MS = 5_000

/**
 * The embedded models in memory: loaded on the first request for each,
 * kept warm for keepAliveMs, unloaded when idle that long, when another
 * model needs the room (at most maxLoaded) or when memory runs short.
 * Each model runs `parallel` requests at once with a bounded queue behind.
 */
export class ModelPool {
  private readonly loaded = new Map<string, Loaded>()
  private readonly loading = new Map<string, Promise<Loaded>>()
  private timer?: ReturnType<typeof setInterval>
  /** Milliseconds each model took to load, last time. */
  readonly loadMs = new Map<string, number>()

  constructor (private readonly provider: string, private readonly settings: PoolSettings) {}

  isLoaded (name: string, sha256: string): boolean {
    const l = this.loaded.get(name)
    return l != null && l.sha256 === sha256
  }

  /** A free chat of the model, loading it first if needed; waits in the model's queue, or throws busy. */
  async acquire (m: StoredModel, signal?: AbortSignal): Promise<Lease> {
    const l = await this.load(m, signal)
    let chat = l.free.pop()
    if (chat == null) {
      if (l.waiters.length >= this.settings.maxQueue) throw new ProviderError('busy', this.provider, `${m.name} is running ${l.active} requests and ${l.waiters.length} wait`, 1_000)
      chat = await new Promise<LlamaChat>((resolve, reject) => {
        const waiter = {
          take: (c: LlamaChat) => { signal?.removeEventListener('abort', onAbort); resolve(c) },
          fail: (err: Error) => { signal?.removeEventListener('abort', onAbort); reject(err) }
        }
        const onAbort = (): void => {
          const i = l.waiters.indexOf(waiter)
          if (i >= 0) l.waiters.splice(i, 1)
          reject(new ProviderError('aborted', this.provider, 'the request was cancelled'))
        }
        signal?.addEventListener('abort', onAbort, { once: true })
        l.waiters.push(waiter)
      })
    }
    l.active++
    let released = false
    return {
      llama: l.llama,
      model: l.model,
      chat,
      contextSize: l.contextSize,
      release: () => {
        if (released) return
        released = true
        l.active--
        l.lastUsed = Date.now()
        if (l.retiring) { this.retired(l); return }
        const next = l.waiters.shift()
        if (next != null) next.take(chat)
        else l.free.push(chat)
      }
    }
  }

  /** Runs `fn` with the model's embedding context, one batch at a time per model. */
  async embedWith <T> (m: StoredModel, signal: AbortSignal | undefined, fn: (ctx: LlamaEmbeddingContext, model: LlamaModel, contextSize: number) => Promise<T>): Promise<T> {
    const l = await this.load(m, signal)
    l.embedding ??= l.model.createEmbeddingContext({ contextSize: l.contextSize, threads: this.settings.threads })
    l.embedding.catch(() => { l.embedding = undefined })
    l.active++
    const run = l.embedChain.then(async () => {
      signal?.throwIfAborted()
      return await fn(await (l.embedding as Promise<LlamaEmbeddingContext>), l.model, l.contextSize)
    })
    l.embedChain = run.catch(() => {})
    try {
      return await run
    } finally {
      l.active--
      l.lastUsed = Date.now()
      if (l.retiring) this.retired(l)
    }
  }

  private async load (m: StoredModel, signal?: AbortSignal): Promise<Loaded> {
    const have = this.loaded.get(m.name)
    if (have != null && have.sha256 === m.sha256) {
      have.lastUsed = Date.now()
      return have
    }
    if (have != null) await this.unload(m.name)
    let p = this.loading.get(m.name)
    if (p == null) {
      p = this.open(m).finally(() => { this.loading.delete(m.name) })
      this.loading.set(m.name, p)
    }
    if (signal == null) return await p
    return await Promise.race([p, new Promise<never>((_resolve, reject) => {
      signal.throwIfAborted()
      signal.addEventListener('abort', () => { reject(new ProviderError('aborted', this.provider, 'the request was cancelled')) }, { once: true })
    })])
  }

  private async open (m: StoredModel): Promise<Loaded> {
    await this.makeRoom(m.name)
    const started = performance.now()
    const s = this.settings
    let llama: Llama
    try {
      llama = await llamaFor(s.gpu)
    } catch (err) {
      throw new ProviderError('server', this.provider, (err as Error).message)
    }
    let model: LlamaModel | undefined
    try {
      model = await llama.loadModel({ modelPath: m.path, gpuLayers: s.gpu === 'none' ? 0 : s.gpuLayers })
      const contextSize = Math.max(64, Math.min(s.contextSize, m.card.contextLength > 0 ? m.card.contextLength : s.contextSize))
      const context = await model.createContext({ contextSize, sequences: s.parallel, threads: s.threads })
      const { LlamaChat } = await import('node-llama-cpp')
      const free: LlamaChat[] = []
      for (let i = 0; i < s.parallel; i++) free.push(new LlamaChat({ contextSequence: context.getSequence() }))
      const l: Loaded = { name: m.name, sha256: m.sha256, llama, model, context, contextSize, free, waiters: [], active: 0, lastUsed: Date.now(), embedChain: Promise.resolve(), retiring: false }
      this.loaded.set(m.name, l)
      this.loadMs.set(m.name, Math.round(performance.now() - started))
      this.timer ??= setInterval(() => { void this.sweep() }, Math.min(SWEEP_MS, Math.max(50, s.keepAliveMs)))
      this.timer.unref()
      return l
    } catch (err: any) {
      await model?.dispose().catch(() => {})
      const what = String(err?.message ?? err).slice(0, 200)
      if (err?.name === 'InsufficientMemoryError' || /memory/i.test(what)) throw new ProviderError('overloaded', this.provider, `not enough memory to load ${m.name}: ${what}`, 30_000)
      throw new ProviderError('server', this.provider, `${m.name} did not load: ${what}`)
    }
  }

  /** Unloads idle models until one more fits under maxLoaded; busy if every loaded model is in use. */
  private async makeRoom (name: string): Promise<void> {
    // room for this one: fewer than maxLoaded others loaded or loading
    const others = (): number => this.loaded.size + [...this.loading.keys()].filter(k => k !== name).length
    while (others() >= this.settings.maxLoaded) {
      const idle = [...this.loaded.values()].filter(l => l.active === 0 && l.waiters.length === 0 && l.name !== name).sort((a, b) => a.lastUsed - b.lastUsed)[0]
      if (idle == null) throw new ProviderError('busy', this.provider, `${this.loaded.size} models are loaded and in use (maxLoaded ${this.settings.maxLoaded})`, 5_000)
      await this.unload(idle.name)
    }
  }

  /** Unloads models idle past their keep-alive, and idle ones while memory is short. */
  async sweep (now = Date.now()): Promise<void> {
    const short = freemem() / totalmem() < this.settings.minFreeShare
    for (const l of [...this.loaded.values()]) {
      if (l.active > 0 || l.waiters.length > 0) continue
      if (short || now - l.lastUsed >= this.settings.keepAliveMs) await this.unload(l.name)
    }
    if (this.loaded.size === 0 && this.timer != null) {
      clearInterval(this.timer)
      this.timer = undefined
    }
  }

  /**
   * Takes a model out of service: its waiters are told, and its memory is
   * freed now if it is idle, else when its last request ends (a removed or
   * replaced file never pulls a context from under a running generation).
   */
  async unload (name: string): Promise<void> {
    const l = this.loaded.get(name)
    if (l == null) return
    this.loaded.delete(name)
    for (const w of l.waiters.splice(0)) w.fail(new ProviderError('server', this.provider, `${name} was unloaded`))
    l.retiring = true
    if (l.active === 0) await this.dispose(l)
  }

  private retired (l: Loaded): void {
    if (l.active === 0) void this.dispose(l)
  }

  private async dispose (l: Loaded): Promise<void> {
    l.active = -1
    await (await l.embedding?.catch(() => undefined))?.dispose().catch(() => {})
    await l.context.dispose().catch(() => {})
    await l.model.dispose().catch(() => {})
  }

  /** Models in memory now. */
  names (): string[] {
    return [...this.loaded.keys()]
  }

  /** Frees every model, in use or not: the node is stopping. */
  async close (): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    for (const l of [...this.loaded.values()]) {
      await this.unload(l.name)
      if (l.active > 0) await this.dispose(l)
    }
  }
}
