import OpenAI from 'openai'
import { ProviderError, httpError, retryAfterMs, transportError } from './errors.js'
import { Reply, applyLimits } from './limits.js'
import { DEFAULT_LIMITS } from './types.js'
import type { ChatOptions, ChatRequest, ChatResult, Limits, ModelInfo, Provider, Tier } from './types.js'

export interface OpenAIProviderInit {
  name?: string
  /** e.g. http://127.0.0.1:8080/v1 (llama.cpp server), http://127.0.0.1:1234/v1 (LM Studio). */
  baseURL: string
  apiKey?: string
  /** A server on this device or the LAN is `local` (the default); a hosted one `cloud`. */
  tier?: Tier
  limits?: Limits
}

/** Maps the SDK's errors; `provider` names the backend, never its key. */
export function stainlessError (provider: string, err: any, signal?: AbortSignal): ProviderError {
  if (err instanceof ProviderError) return err
  if (typeof err?.status === 'number') {
    const headers = err.headers as Headers | undefined
    return httpError(provider, err.status, retryAfterMs(headers?.get?.('retry-after')), String(err?.error?.error?.type ?? err?.error?.type ?? ''))
  }
  return transportError(provider, err?.cause ?? err, signal)
}

/** An OpenAI-compatible server (llama.cpp, LM Studio, vLLM, ...) through the official `openai` SDK. */
export class OpenAIProvider implements Provider {
  readonly kind = 'openai'
  readonly name: string
  readonly tier: Tier
  private readonly client: OpenAI
  private readonly limits: Limits

  constructor (init: OpenAIProviderInit) {
    this.name = init.name ?? 'openai'
    this.tier = init.tier ?? 'local'
    // retries are the router's business: it knows the other candidates
    this.client = new OpenAI({ baseURL: init.baseURL, apiKey: init.apiKey ?? 'none', maxRetries: 0 })
    this.limits = init.limits ?? DEFAULT_LIMITS
  }

  async models (options: { signal?: AbortSignal } = {}): Promise<ModelInfo[]> {
    try {
      const out: ModelInfo[] = []
      for await (const m of this.client.models.list({ signal: options.signal })) out.push({ name: m.id, loaded: true })
      return out
    } catch (err) {
      throw stainlessError(this.name, err, options.signal)
    }
  }

  async chat (req: ChatRequest, options: ChatOptions = {}): Promise<ChatResult> {
    const maxTokens = applyLimits(this.name, req, this.limits)
    const reply = new Reply(req.model, 'stop', options.onText)
    const { signal } = options
    try {
      const stream = await this.client.chat.completions.create({
        model: req.model,
        messages: req.messages,
        max_tokens: maxTokens,
        stream: true,
        stream_options: { include_usage: true },
        ...(req.temperature != null ? { temperature: req.temperature } : {})
      }, { signal })
      for await (const chunk of stream) {
        reply.model = chunk.model ?? reply.model
        const choice = chunk.choices[0]
        reply.add(choice?.delta?.content ?? '')
        if (choice?.finish_reason != null) reply.finishReason = choice.finish_reason
        if (chunk.usage != null) reply.usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens }
      }
      // the SDK's stream ends quietly when its signal aborts: result() throws then
      return reply.result(signal)
    } catch (err) {
      throw stainlessError(this.name, err, signal)
    }
  }
}
