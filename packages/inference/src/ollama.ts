import { Ollama } from 'ollama'
import { ProviderError, httpError, transportError } from './errors.js'
import { Reply, applyLimits, argumentsObject, base64, finishReasonOf, toolNames } from './limits.js'
import { DEFAULT_LIMITS } from './types.js'
import type { Capability, ChatMessage, ChatOptions, ChatRequest, ChatResult, EmbedRequest, EmbedResult, Limits, ModelInfo, Provider, Tier } from './types.js'
import type { Message, Options, Tool } from 'ollama'

export const DEFAULT_OLLAMA_URL = 'http://127.0.0.1:11434'

export interface OllamaProviderInit {
  name?: string
  /** SMESH_OLLAMA_URL; default http://127.0.0.1:11434. */
  url?: string
  /** Where the server runs; `local` unless it is a hosted one. */
  tier?: Tier
  limits?: Limits
}

function fail (name: string, err: any, signal?: AbortSignal): ProviderError {
  if (err instanceof ProviderError) return err
  if (typeof err?.status_code === 'number') return httpError(name, err.status_code, undefined, String(err.error ?? ''))
  return transportError(name, err, signal)
}

/** What `/api/show` says of a model: its capabilities and context length. */
interface Shown { capabilities: Capability[], contextLength?: number }

const SHOWN_CAPABILITIES: Record<string, Capability[]> = { completion: ['completion', 'json'], tools: ['tools'], vision: ['vision'], embedding: ['embedding'] }

/** A model's capabilities when /api/show does not list them (Ollama before 0.6): chat, or embeddings for embedding families. */
function guessCapabilities (name: string, family?: string): Capability[] {
  return /embed|bert|minilm/i.test(`${name} ${family ?? ''}`) ? ['embedding'] : ['completion', 'json']
}

export function ollamaMessages (messages: ChatMessage[]): Message[] {
  const names = toolNames(messages)
  return messages.map(m => ({
    role: m.role,
    content: m.content,
    ...(m.images != null && m.images.length > 0 ? { images: m.images.map(i => base64(i.data)) } : {}),
    ...(m.toolCalls != null && m.toolCalls.length > 0 ? { tool_calls: m.toolCalls.map(c => ({ function: { name: c.name, arguments: argumentsObject(c.arguments) } })) } : {}),
    ...(m.role === 'tool' ? { tool_name: names.get(m) } : {})
  }))
}

/** A local Ollama server, through the `ollama` package: list, ps, show, streamed chat, embeddings. */
export class OllamaProvider implements Provider {
  readonly kind = 'ollama'
  readonly tier: Tier
  readonly name: string
  private readonly client: Ollama
  private readonly host: string
  private readonly limits: Limits
  /** /api/show per model and digest: asked once. */
  private readonly shown = new Map<string, Shown>()

  constructor (init: OllamaProviderInit = {}) {
    this.name = init.name ?? 'ollama'
    this.tier = init.tier ?? 'local'
    this.host = init.url ?? DEFAULT_OLLAMA_URL
    this.client = new Ollama({ host: this.host })
    this.limits = init.limits ?? DEFAULT_LIMITS
  }

  /** A client whose every request ends with `signal` (the package's own abort() reaches only streamed requests). */
  private clientFor (signal?: AbortSignal): Ollama {
    if (signal == null) return this.client
    return new Ollama({ host: this.host, fetch: async (input, init) => await fetch(input, { ...init, signal: init?.signal != null ? AbortSignal.any([init.signal, signal]) : signal }) })
  }

  async models (options: { signal?: AbortSignal } = {}): Promise<ModelInfo[]> {
    try {
      options.signal?.throwIfAborted()
      const client = this.clientFor(options.signal)
      const [list, ps] = await Promise.all([client.list(), client.ps()])
      const loaded = new Set(ps.models.map(m => m.name))
      // Ollama's cloud models (`gpt-oss:120b-cloud`) run at ollama.com: never listed as local
      const remote = (m: { name: string, remote_host?: string }): boolean => m.remote_host != null || /(^|[:-])cloud$/.test(m.name)
      const models = list.models.filter(m => this.tier === 'cloud' || !remote(m as { name: string, remote_host?: string }))
      const shown = await Promise.all(models.map(async m => await this.show(client, m.name, m.digest, m.details?.family)))
      options.signal?.throwIfAborted()
      return models.map((m, i) => ({
        name: m.name,
        digest: m.digest,
        family: m.details?.family,
        sizeBytes: m.size,
        quantization: m.details?.quantization_level,
        contextLength: shown[i]?.contextLength,
        capabilities: shown[i]?.capabilities ?? guessCapabilities(m.name, m.details?.family),
        loaded: loaded.has(m.name)
      }))
    } catch (err) {
      throw fail(this.name, err, options.signal)
    }
  }

  /** Capabilities and context length from /api/show, once per model and digest; a guess when it fails. */
  private async show (client: Ollama, model: string, digest: string, family?: string): Promise<Shown> {
    const key = `${model}@${digest}`
    const known = this.shown.get(key)
    if (known != null) return known
    let shown: Shown
    try {
      const r = await client.show({ model })
      const info = (r.model_info ?? {}) as unknown as Record<string, unknown>
      const arch = typeof info['general.architecture'] === 'string' ? info['general.architecture'] : family ?? ''
      const ctx = Number(info[`${arch}.context_length`])
      const caps = Array.isArray(r.capabilities) && r.capabilities.length > 0
        ? [...new Set(r.capabilities.flatMap(c => SHOWN_CAPABILITIES[c] ?? []))]
        : guessCapabilities(model, family)
      shown = { capabilities: caps, ...(Number.isFinite(ctx) && ctx > 0 ? { contextLength: ctx } : {}) }
    } catch {
      return { capabilities: guessCapabilities(model, family) }
    }
    if (this.shown.size > 1024) this.shown.clear()
    this.shown.set(key, shown)
    return shown
  }

  async chat (req: ChatRequest, options: ChatOptions = {}): Promise<ChatResult> {
    const maxTokens = applyLimits(this.name, req, this.limits)
    const reply = new Reply(req.model, 'stop', options.onText, options.onToolCall)
    const { signal } = options
    let stream: { abort: () => void } | undefined
    const onAbort = (): void => { stream?.abort() }
    signal?.addEventListener('abort', onAbort, { once: true })
    const ollamaOptions: Partial<Options> = {
      ...(req.options as Partial<Options> | undefined),
      num_predict: maxTokens,
      ...(req.temperature != null ? { temperature: req.temperature } : {}),
      ...(req.topP != null ? { top_p: req.topP } : {}),
      ...(req.seed != null ? { seed: req.seed } : {}),
      ...(req.stop != null && req.stop.length > 0 ? { stop: req.stop } : {})
    }
    const tools: Tool[] | undefined = req.tools != null && req.tools.length > 0 && req.toolChoice !== 'none'
      ? req.tools.filter(t => typeof req.toolChoice !== 'object' || t.name === req.toolChoice.name)
        .map(t => ({ type: 'function', function: { name: t.name, description: t.description ?? '', parameters: t.parameters as Tool['function']['parameters'] } }))
      : undefined
    try {
      signal?.throwIfAborted()
      // a client tied to the signal: a cancel reaches Ollama even before its first chunk (a model loading, a long prompt)
      const parts = await this.clientFor(signal).chat({
        model: req.model,
        messages: ollamaMessages(req.messages),
        stream: true,
        options: ollamaOptions,
        ...(tools != null ? { tools } : {}),
        ...(req.format != null ? { format: req.format.type === 'json' ? 'json' : req.format.schema } : {}),
        ...(req.keepAlive != null ? { keep_alive: req.keepAlive } : {})
      })
      stream = parts
      if (signal?.aborted === true) parts.abort()
      for await (const part of parts) {
        reply.add(part.message?.content ?? '')
        for (const c of part.message?.tool_calls ?? []) reply.call(c.function.name, JSON.stringify(c.function.arguments ?? {}))
        if (part.done) {
          reply.finishReason = finishReasonOf(part.done_reason)
          reply.usage = { inputTokens: part.prompt_eval_count ?? 0, outputTokens: part.eval_count ?? 0 }
        }
      }
      return reply.result(signal)
    } catch (err) {
      throw fail(this.name, err, signal)
    } finally {
      signal?.removeEventListener('abort', onAbort)
    }
  }

  async embed (req: EmbedRequest, options: { signal?: AbortSignal } = {}): Promise<EmbedResult> {
    const started = performance.now()
    const { signal } = options
    try {
      signal?.throwIfAborted()
      const r = await this.clientFor(signal).embed({ model: req.model, input: req.inputs, ...(req.truncate != null ? { truncate: req.truncate } : {}), ...(req.keepAlive != null ? { keep_alive: req.keepAlive } : {}) })
      signal?.throwIfAborted()
      if (r.embeddings.length !== req.inputs.length) throw new ProviderError('server', this.name, `asked for ${req.inputs.length} embeddings, got ${r.embeddings.length}`)
      return { model: r.model ?? req.model, vectors: r.embeddings.map(v => Float32Array.from(v)), inputTokens: r.prompt_eval_count ?? 0, totalMs: Math.round((performance.now() - started) * 10) / 10 }
    } catch (err) {
      throw fail(this.name, err, signal)
    }
  }
}
