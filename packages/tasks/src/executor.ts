import { ProviderError, clampRetryAfter } from '@smesh/inference'
import { Advert as AdvertCodec, MAX_ADVERT_PROVIDERS } from '@smesh/protocols'
import PQueue from 'p-queue'
import { TypedEventEmitter } from 'main-event'
import { TASK_PROTOCOL_VERSIONS } from '@smesh/protocols'
import { ADVERT_TTL_MS, signAdvert } from './advert.js'
import { TaskFailedError } from './errors.js'
import { chatNeeds, describeCapability, embedNeeds, lacks } from './needs.js'
import { BACKEND_OPTIONS, MAX_KEEP_ALIVE_MS, keepAliveMs } from './backend-options.js'
import { residencyAllows, sameModel } from './spec.js'
import type { ChatParams, Needs } from './needs.js'
import type { Residency } from './spec.js'
import type { BackendOptions, ChatMessage, FinishReason, ModelInfo, Provider, Tier, ToolCall } from '@smesh/inference'
import type { Signer } from '@smesh/bus'
import type { Advert, AdvertProvider } from '@smesh/protocols'

/** How long a provider rests after a 429 or 503 that named no Retry-After. */
export const DEFAULT_COOLDOWN_MS = 30_000
/** How often model lists (and which models are loaded) are read again. */
export const MODEL_REFRESH_MS = 10_000

export interface ExecutorInit {
  peerId: string
  providers: Provider[]
  signer: Signer
  /** Tasks run at once on this node (all providers). */
  concurrency?: number
  /** Task protocol versions to advertise (default all this build serves). */
  protocols?: readonly string[]
  /** Tasks that may wait for a slot; more are refused as busy. */
  maxQueue?: number
  refreshMs?: number
  now?: () => number
}

export interface ProviderState {
  name: string
  kind: string
  tier: Tier
  models: ModelInfo[]
  cooldownUntil: number
  tokensPerS: number
  /** Why the last model listing failed, if it did (no URL or key in it). */
  listError?: string
}

export interface RunRequest extends ChatParams {
  provider: string
  model: string
  messages: ChatMessage[]
  residency: Residency
  /** The task comes from this very node. */
  self: boolean
}

export interface RunResult {
  provider: string
  model: string
  digest: string
  tier: Tier
  finishReason: FinishReason
  stopSequence?: string
  toolCalls: ToolCall[]
  inputTokens: number
  outputTokens: number
  firstTokenMs: number | null
  totalMs: number
}

export interface EmbedRunRequest {
  provider: string
  model: string
  inputs: string[]
  residency: Residency
  self: boolean
  truncate?: boolean
  keepAlive?: string
}

export interface EmbedRunResult {
  provider: string
  model: string
  digest: string
  tier: Tier
  vectors: Float32Array[]
  inputTokens: number
  totalMs: number
}

export interface ExecutorEvents {
  /** Queue depth, a cooldown or the models changed: the advert should go out again. */
  'executor:change': CustomEvent<{ reason: string }>
  /** A provider rate-limited or overloaded: it cools down until then. */
  'executor:cooldown': CustomEvent<{ provider: string, until: number, kind: string }>
}

/** An advert's encoded size before its signature; receivers take 24 KiB signed, beacons 32 KiB in all. */
export const ADVERT_BUDGET_BYTES = 16 * 1024

/**
 * Drops models (from the provider with the most, unloaded ones last in each
 * list) until the advert fits its budget. Each model's share of the encoding
 * is measured once and the advert encoded whole only to confirm, so a large
 * model list costs milliseconds, not seconds.
 */
export function fitAdvert (providers: AdvertProvider[], protocols: readonly string[] = TASK_PROTOCOL_VERSIONS): void {
  const encoded = (ps: AdvertProvider[]): number => AdvertCodec.encode({ version: 1, peer: '', issuedAt: 0n, expiresAt: 0n, queue: 0, concurrency: 0, providers: ps, protocols: [...protocols] }).byteLength + 128
  let size = encoded(providers)
  if (size <= ADVERT_BUDGET_BYTES) return
  const empty = encoded([{ ...providers[0]!, models: [] }])
  // a model's bytes with its tag and length prefix; the provider's own length prefix may shrink too, so this over-counts by a byte or two at most
  const cost = (p: AdvertProvider, m: AdvertProvider['models'][number]): number => encoded([{ ...p, models: [m] }]) - empty
  while (size > ADVERT_BUDGET_BYTES) {
    const most = providers.reduce<AdvertProvider | undefined>((m, p) => m == null || p.models.length > m.models.length ? p : m, undefined)
    if (most == null || most.models.length === 0) return
    const dropped = most.models.pop()!
    size -= cost(most, dropped)
    if (size <= ADVERT_BUDGET_BYTES) size = encoded(providers)
  }
}

/** Backend options as this node takes them: known ones only, num_ctx no larger than the model's context. */
function boundOptions (options: BackendOptions | undefined, contextLength: number | undefined): { options?: BackendOptions } {
  if (options == null) return {}
  const out: BackendOptions = {}
  for (const [k, v] of Object.entries(options)) {
    if (!BACKEND_OPTIONS.has(k)) continue
    out[k] = k === 'num_ctx' && typeof v === 'number' && contextLength != null && contextLength > 0 ? Math.min(Math.max(1, Math.trunc(v)), contextLength) : v
  }
  return Object.keys(out).length > 0 ? { options: out } : {}
}

/** keep_alive as this node takes it: a duration up to MAX_KEEP_ALIVE_MS. */
function boundKeepAlive (keepAlive: string | undefined): { keepAlive?: string } {
  if (keepAlive == null) return {}
  const ms = keepAliveMs(keepAlive)
  if (ms == null) return {}
  return { keepAlive: ms > MAX_KEEP_ALIVE_MS ? `${MAX_KEEP_ALIVE_MS / 60_000}m` : keepAlive }
}

/** Maps a provider's failure to the task error that travels back to the router. */
export function taskErrorOf (err: unknown): TaskFailedError {
  if (err instanceof TaskFailedError) return err
  if (err instanceof ProviderError) return new TaskFailedError(err.kind, err.message, err.retryAfterMs, { cause: err, hint: err.hint })
  const e = err as { name?: string, message?: string }
  if (e?.name === 'AbortError') return new TaskFailedError('aborted', 'the task was cancelled')
  return new TaskFailedError('server', `the task failed: ${String(e?.message ?? err).slice(0, 200)}`)
}

/**
 * Runs tasks on this node's own providers: at most `concurrency` at once,
 * a bounded queue behind them, a cooldown per provider after a rate limit,
 * measured tokens per second, and the signed advert of all of it.
 */
export class Executor extends TypedEventEmitter<ExecutorEvents> {
  readonly concurrency: number
  private readonly queue: PQueue
  private readonly maxQueue: number
  private readonly states = new Map<string, ProviderState>()
  private readonly byName = new Map<string, Provider>()
  private readonly now: () => number
  private timer?: ReturnType<typeof setInterval>
  private controller = new AbortController()
  private signed?: { bytes: Uint8Array, at: number, key: string }

  constructor (private readonly init: ExecutorInit) {
    super()
    this.concurrency = init.concurrency ?? 4
    this.maxQueue = init.maxQueue ?? 64
    this.queue = new PQueue({ concurrency: this.concurrency })
    this.now = init.now ?? Date.now
    for (const p of init.providers) {
      this.byName.set(p.name, p)
      this.states.set(p.name, { name: p.name, kind: p.kind, tier: p.tier, models: [], cooldownUntil: 0, tokensPerS: 0 })
    }
  }

  async start (): Promise<void> {
    this.controller = new AbortController()
    await this.refresh()
    this.timer = setInterval(() => { void this.refresh() }, this.init.refreshMs ?? MODEL_REFRESH_MS)
    this.timer.unref()
  }

  stop (): void {
    clearInterval(this.timer)
    this.controller.abort()
    this.queue.clear()
  }

  /** Reads every provider's model list again; an unreachable provider lists none. */
  async refresh (): Promise<void> {
    const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(5_000)])
    let changed = false
    await Promise.all([...this.byName.values()].map(async (p) => {
      const s = this.states.get(p.name) as ProviderState
      let models: ModelInfo[] = []
      let listError: string | undefined
      try {
        models = await p.models({ signal })
      } catch (err) {
        listError = err instanceof ProviderError ? err.message : 'listing its models failed'
      }
      const key = (m: ModelInfo[]): string => JSON.stringify(m.map(x => [x.name, x.digest, x.loaded]))
      if (key(models) !== key(s.models)) changed = true
      s.models = models
      s.listError = listError
    }))
    if (changed) this.changed('models')
  }

  /** Every provider's state, as this node sees it now. */
  providers (): ProviderState[] {
    return [...this.states.values()].map(s => ({ ...s, cooldownUntil: s.cooldownUntil > this.now() ? s.cooldownUntil : 0 }))
  }

  /** Versions of the task protocol this node serves. */
  get protocols (): readonly string[] {
    return this.init.protocols ?? TASK_PROTOCOL_VERSIONS
  }

  /** Tasks running plus waiting. */
  get load (): number {
    return this.queue.pending + this.queue.size
  }

  /** The advert of this node, signed; re-signed when it changed or a third of its life has passed. */
  advert (): Uint8Array {
    const now = this.now()
    const providers: AdvertProvider[] = this.providers().slice(0, MAX_ADVERT_PROVIDERS).map(s => ({
      name: s.name,
      kind: s.kind,
      tier: s.tier,
      cooldownUntil: BigInt(s.cooldownUntil),
      tokensPerS: Math.round(s.tokensPerS * 10) / 10,
      // models in memory first: they are what a trimmed advert keeps
      // a model kept to this device is never advertised
      models: s.models.filter(m => m.localOnly !== true).sort((a, b) => Number(b.loaded) - Number(a.loaded)).slice(0, 128).map(m => ({
        name: m.name,
        digest: m.digest ?? '',
        family: m.family ?? '',
        size: m.sizeBytes ?? 0,
        quantization: m.quantization ?? '',
        contextLength: m.contextLength ?? 0,
        loaded: m.loaded,
        // a node of 1.0.0 advertised no capabilities
        capabilities: this.protocols.includes('1.1.0') ? m.capabilities : [],
        parameters: m.parameters ?? 0,
        embeddingLength: m.embeddingLength ?? 0,
        chatTemplate: m.chatTemplate ?? false
      }))
    }))
    // the key is of what the providers list, before trimming: an unchanged list costs no encoding at all
    const key = JSON.stringify([this.load, providers], (_k, v) => typeof v === 'bigint' ? v.toString() : v)
    if (this.signed != null && this.signed.key === key && now - this.signed.at < ADVERT_TTL_MS / 3) return this.signed.bytes
    fitAdvert(providers, this.protocols)
    const advert: Advert = { version: 1, peer: this.init.peerId, issuedAt: BigInt(now), expiresAt: BigInt(now + ADVERT_TTL_MS), queue: this.load, concurrency: this.concurrency, providers, protocols: [...this.protocols] }
    this.signed = { bytes: signAdvert(advert, this.init.signer), at: now, key }
    return this.signed.bytes
  }

  /** The tier of a provider of this node (local or cloud), or undefined when it has none of that name. */
  tierOf (provider: string): Tier | undefined {
    return this.byName.get(provider)?.tier
  }

  /**
   * The provider and model a task names, if this node may run it there:
   * refuses what the residency forbids, a model the provider does not list
   * or that cannot do what the task needs, a provider in its cooldown, and a
   * full queue.
   */
  private admit (req: { provider: string, model: string, residency: Residency, self: boolean }, needs: Needs): { provider: Provider, state: ProviderState, model: ModelInfo } {
    const provider = this.byName.get(req.provider)
    const state = this.states.get(req.provider)
    if (provider == null || state == null) throw new TaskFailedError('unknown-model', `this node has no provider "${req.provider}"`)
    if (!residencyAllows(req.residency, provider.tier, req.self)) {
      throw new TaskFailedError('residency', `residency ${req.residency} forbids ${provider.tier === 'cloud' ? 'a cloud provider' : 'another device'} (${provider.name})`)
    }
    const model = state.models.find(m => sameModel(m.name, req.model))
    if (model == null) throw new TaskFailedError('unknown-model', `provider ${provider.name} has no model ${req.model}`)
    if (model.localOnly === true && !req.self) throw new TaskFailedError('unknown-model', `provider ${provider.name} has no model ${req.model} for other devices`)
    const missing = lacks(needs, { capabilities: model.capabilities, contextLength: model.contextLength ?? 0 })
    if (missing === 'context') throw new TaskFailedError('too-large', `the prompt (about ${needs.tokens} tokens) is longer than the context of ${model.name} (${model.contextLength ?? 0} tokens)`)
    if (missing != null || (needs.kind === 'embed' && provider.embed == null)) throw new TaskFailedError('unsupported', `${model.name} on ${provider.name} does not ${describeCapability(missing ?? 'embedding')}`)
    const wait = state.cooldownUntil - this.now()
    if (wait > 0) throw new TaskFailedError('rate-limit', `provider ${provider.name} is cooling down after a rate limit`, wait)
    if (this.queue.size >= this.maxQueue) throw new TaskFailedError('busy', `this node already has ${this.load} tasks`)
    return { provider, state, model }
  }

  /** Runs `fn` in the queue; a rate limit starts the provider's cooldown. */
  private async queued <T> (provider: Provider, state: ProviderState, signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    const started = this.queue.add(async () => {
      this.changed('queue')
      try {
        return await fn()
      } finally {
        queueMicrotask(() => { this.changed('queue') })
      }
    }, { signal })
    this.changed('queue')
    try {
      return await started
    } catch (err) {
      if (err instanceof ProviderError && (err.kind === 'rate-limit' || err.kind === 'overloaded')) {
        state.cooldownUntil = this.now() + clampRetryAfter(err.retryAfterMs ?? DEFAULT_COOLDOWN_MS)
        this.dispatchEvent(new CustomEvent('executor:cooldown', { detail: { provider: provider.name, until: state.cooldownUntil, kind: err.kind } }))
        this.changed('cooldown')
      }
      throw taskErrorOf(signal.aborted ? Object.assign(new Error('aborted'), { name: 'AbortError' }) : err)
    }
  }

  /** Runs one chat on a named provider of this node (see admit for what is refused). */
  async run (req: RunRequest, options: { signal?: AbortSignal, onText?: (text: string) => void, onToolCall?: (call: ToolCall) => void } = {}): Promise<RunResult> {
    const { provider, state, model } = this.admit(req, chatNeeds(req.messages, req))
    const signal = AbortSignal.any([this.controller.signal, ...(options.signal != null ? [options.signal] : [])])
    const { provider: _p, residency: _r, self: _s, model: _m, options: backend, keepAlive, ...params } = req
    // what a task may ask of this device's backend is bounded here, for every task, the node's own included
    const bounded = { ...params, ...boundOptions(backend, model.contextLength), ...boundKeepAlive(keepAlive), model: model.name }
    const r = await this.queued(provider, state, signal, async () => await provider.chat(bounded, { signal, onText: options.onText, onToolCall: options.onToolCall }))
    if (r.firstTokenMs != null && r.usage.outputTokens > 1 && r.totalMs > r.firstTokenMs) {
      const rate = (r.usage.outputTokens - 1) / ((r.totalMs - r.firstTokenMs) / 1000)
      state.tokensPerS = state.tokensPerS === 0 ? rate : state.tokensPerS * 0.7 + rate * 0.3
    }
    return {
      provider: provider.name,
      model: r.model,
      digest: model.digest ?? '',
      tier: provider.tier,
      finishReason: r.finishReason,
      ...(r.stopSequence != null ? { stopSequence: r.stopSequence } : {}),
      toolCalls: r.toolCalls,
      inputTokens: r.usage.inputTokens,
      outputTokens: r.usage.outputTokens,
      firstTokenMs: r.firstTokenMs,
      totalMs: r.totalMs
    }
  }

  /** Embeds a batch of texts on a named provider of this node. */
  async embed (req: EmbedRunRequest, options: { signal?: AbortSignal } = {}): Promise<EmbedRunResult> {
    const { provider, state, model } = this.admit(req, embedNeeds(req.inputs))
    const signal = AbortSignal.any([this.controller.signal, ...(options.signal != null ? [options.signal] : [])])
    const embed = provider.embed?.bind(provider)
    if (embed == null) throw new TaskFailedError('unsupported', `${provider.name} makes no embeddings`)
    const r = await this.queued(provider, state, signal, async () => await embed({ model: model.name, inputs: req.inputs, ...(req.truncate != null ? { truncate: req.truncate } : {}), ...boundKeepAlive(req.keepAlive) }, { signal }))
    return { provider: provider.name, model: r.model, digest: model.digest ?? '', tier: provider.tier, vectors: r.vectors, inputTokens: r.inputTokens, totalMs: r.totalMs }
  }

  private changed (reason: string): void {
    this.dispatchEvent(new CustomEvent('executor:change', { detail: { reason } }))
  }
}
