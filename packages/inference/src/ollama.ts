import { Ollama } from 'ollama'
import { ProviderError, httpError, transportError } from './errors.js'
import { Reply, applyLimits } from './limits.js'
import { DEFAULT_LIMITS } from './types.js'
import type { ChatOptions, ChatRequest, ChatResult, Limits, ModelInfo, Provider, Tier } from './types.js'

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

/** A local Ollama server, through the `ollama` package: list, ps, streamed chat. */
export class OllamaProvider implements Provider {
  readonly kind = 'ollama'
  readonly tier: Tier
  readonly name: string
  private readonly client: Ollama
  private readonly limits: Limits

  constructor (init: OllamaProviderInit = {}) {
    this.name = init.name ?? 'ollama'
    this.tier = init.tier ?? 'local'
    this.client = new Ollama({ host: init.url ?? DEFAULT_OLLAMA_URL })
    this.limits = init.limits ?? DEFAULT_LIMITS
  }

  async models (options: { signal?: AbortSignal } = {}): Promise<ModelInfo[]> {
    try {
      options.signal?.throwIfAborted()
      const [list, ps] = await Promise.all([this.client.list(), this.client.ps()])
      const loaded = new Set(ps.models.map(m => m.name))
      // Ollama's cloud models (`gpt-oss:120b-cloud`) run at ollama.com: never listed as local
      const remote = (m: { name: string, remote_host?: string }): boolean => m.remote_host != null || /(^|[:-])cloud$/.test(m.name)
      return list.models.filter(m => this.tier === 'cloud' || !remote(m as { name: string, remote_host?: string })).map(m => ({
        name: m.name,
        digest: m.digest,
        family: m.details?.family,
        sizeBytes: m.size,
        quantization: m.details?.quantization_level,
        loaded: loaded.has(m.name)
      }))
    } catch (err) {
      throw fail(this.name, err, options.signal)
    }
  }

  async chat (req: ChatRequest, options: ChatOptions = {}): Promise<ChatResult> {
    const maxTokens = applyLimits(this.name, req, this.limits)
    const reply = new Reply(req.model, 'stop', options.onText)
    const { signal } = options
    let stream: { abort: () => void } | undefined
    const onAbort = (): void => { stream?.abort() }
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      signal?.throwIfAborted()
      const parts = await this.client.chat({ model: req.model, messages: req.messages, stream: true, options: { num_predict: maxTokens, ...(req.temperature != null ? { temperature: req.temperature } : {}) } })
      stream = parts
      if (signal?.aborted === true) parts.abort()
      for await (const part of parts) {
        reply.add(part.message?.content ?? '')
        if (part.done) {
          reply.finishReason = part.done_reason ?? 'stop'
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
}
