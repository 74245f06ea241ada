import { stat } from 'node:fs/promises'
import { DEFAULT_LIMITS, ProviderError, applyLimits } from '@smesh/inference'
import { generate } from './chat.js'
import { ModelFileError } from './errors.js'
import { ModelPool } from './pool.js'
import { ModelStore, checkModelName } from './store.js'
import type { PoolSettings } from './pool.js'
import type { StoredModel } from './store.js'
import type { Capability, ChatOptions, ChatRequest, ChatResult, EmbedRequest, EmbedResult, Limits, ModelInfo, Provider } from '@smesh/inference'

export interface LlamaProviderInit {
  name?: string
  /** The models directory (<data dir>/models). */
  dir: string
  settings?: Partial<PoolSettings>
  limits?: Limits
  /** `local`: its models serve this device's own tasks only, never a peer's. */
  offer?: 'mesh' | 'local'
  /** Models (by name) that serve this device only, whatever `offer` says. */
  localModels?: string[]
  /** A file in the directory failed validation (once per version of the file). */
  onInvalid?: (model: string, reason: string) => void
}

export const DEFAULT_POOL_SETTINGS: Omit<PoolSettings, 'threads'> = {
  gpu: 'auto',
  gpuLayers: 'auto',
  contextSize: 8192,
  parallel: 2,
  maxQueue: 8,
  maxLoaded: 1,
  keepAliveMs: 5 * 60_000,
  minFreeShare: 0.05
}

/**
 * GGUF models of this device, run in the node's own process by llama.cpp
 * (node-llama-cpp). Listing reads the models directory only: the native
 * module is imported on the first task (or when a file dropped into the
 * directory needs validating), so a node without models pays nothing.
 */
export class LlamaProvider implements Provider {
  readonly kind = 'llama'
  readonly tier = 'local'
  readonly name: string
  readonly store: ModelStore
  private readonly pool: ModelPool
  private readonly limits: Limits
  private readonly settings: PoolSettings
  private known = new Map<string, StoredModel>()
  /** Files that failed validation, by name, with the size and time they had. */
  private readonly invalid = new Map<string, string>()
  private indexing?: Promise<void>

  constructor (private readonly init: LlamaProviderInit) {
    this.name = init.name ?? 'llama'
    this.store = new ModelStore(init.dir)
    this.settings = { ...DEFAULT_POOL_SETTINGS, threads: 1, ...init.settings }
    this.pool = new ModelPool(this.name, this.settings)
    this.limits = init.limits ?? DEFAULT_LIMITS
  }

  /** Milliseconds the model took to load, the last time it did. */
  loadMs (model: string): number | undefined {
    return this.pool.loadMs.get(model)
  }

  async models (options: { signal?: AbortSignal } = {}): Promise<ModelInfo[]> {
    const { models, pending } = await this.store.scan()
    options.signal?.throwIfAborted()
    this.known = new Map(models.map(m => [m.name, m]))
    for (const name of this.pool.names()) if (!this.known.has(name)) await this.pool.unload(name)
    if (pending.length > 0) void this.indexPending(pending)
    return models.map(m => this.info(m))
  }

  private info (m: StoredModel): ModelInfo {
    const c = m.card
    const caps: Capability[] = c.embeddingOnly ? ['embedding'] : ['completion', 'json', 'embedding', ...(c.tools ? ['tools' as const] : [])]
    const local = this.init.offer === 'local' || (this.init.localModels ?? []).includes(m.name)
    return {
      name: m.name,
      digest: `sha256:${m.sha256}`,
      family: c.architecture,
      sizeBytes: m.sizeBytes,
      quantization: c.quantization,
      contextLength: this.contextOf(m),
      capabilities: caps,
      loaded: this.pool.isLoaded(m.name, m.sha256),
      parameters: c.parameters,
      embeddingLength: c.embeddingLength,
      chatTemplate: c.chatTemplate,
      ...(local ? { localOnly: true } : {})
    }
  }

  private contextOf (m: StoredModel): number {
    return m.card.contextLength > 0 ? Math.min(m.card.contextLength, this.settings.contextSize) : this.settings.contextSize
  }

  /** Validates files dropped into the directory, one at a time; a broken one is reported once per version and never listed. */
  private async indexPending (names: string[]): Promise<void> {
    if (this.indexing != null) return
    this.indexing = (async () => {
      for (const name of names) {
        const st = await stat(`${this.store.dir}/${name}.gguf`).catch(() => undefined)
        if (st == null) continue
        const version = `${st.size}:${st.mtimeMs}`
        if (this.invalid.get(name) === version) continue
        // a file still being written changes between looks: wait until it holds still
        if (Date.now() - st.mtimeMs < 2_000) continue
        try {
          await this.store.index(name)
          this.invalid.delete(name)
        } catch (err) {
          this.invalid.set(name, version)
          this.init.onInvalid?.(name, err instanceof ModelFileError ? err.message : String((err as Error)?.message ?? err))
        }
      }
    })().finally(() => { this.indexing = undefined })
    await this.indexing
  }

  private async model (name: string): Promise<StoredModel> {
    const m = this.known.get(name) ?? await this.store.read(checkModelName(name))
    if (m == null) throw new ProviderError('not-found', this.name, `this device has no model ${name}`)
    return m
  }

  async chat (req: ChatRequest, options: ChatOptions = {}): Promise<ChatResult> {
    const maxTokens = applyLimits(this.name, req, this.limits)
    const m = await this.model(req.model)
    if (m.card.embeddingOnly) throw new ProviderError('bad-request', this.name, `${m.name} is an embedding model: it does not chat`)
    options.signal?.throwIfAborted()
    const lease = await this.pool.acquire(m, options.signal)
    try {
      return await generate({ provider: this.name, llama: lease.llama, model: lease.model, chat: lease.chat, contextSize: lease.contextSize, maxTokens, tools: m.card.tools }, req, options)
    } finally {
      lease.release()
    }
  }

  async embed (req: EmbedRequest, options: { signal?: AbortSignal } = {}): Promise<EmbedResult> {
    const started = performance.now()
    const m = await this.model(req.model)
    const { signal } = options
    return await this.pool.embedWith(m, signal, async (ctx, model, contextSize) => {
      const vectors: Float32Array[] = []
      let inputTokens = 0
      for (const [i, text] of req.inputs.entries()) {
        signal?.throwIfAborted()
        let tokens = model.tokenize(text)
        if (tokens.length > contextSize) {
          if (req.truncate === false) throw new ProviderError('too-large', this.name, `input ${i} is ${tokens.length} tokens, longer than the context of ${m.name} (${contextSize} tokens)`)
          tokens = tokens.slice(0, contextSize)
        }
        inputTokens += tokens.length
        const e = await ctx.getEmbeddingFor(tokens)
        vectors.push(Float32Array.from(e.vector))
      }
      return { model: m.name, vectors, inputTokens, totalMs: Math.round((performance.now() - started) * 10) / 10 }
    })
  }

  /** Unloads every model. */
  async close (): Promise<void> {
    await this.pool.close()
  }
}
