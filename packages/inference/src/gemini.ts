import { GoogleGenAI } from '@google/genai'
import { ProviderError, httpError, transportError } from './errors.js'
import { Stopwatch, applyLimits } from './limits.js'
import { DEFAULT_LIMITS } from './types.js'
import type { ChatOptions, ChatRequest, ChatResult, Limits, ModelInfo, Provider } from './types.js'

export interface GeminiProviderInit {
  name?: string
  /** GEMINI_API_KEY or the node's config; it stays on this node. */
  apiKey: string
  baseURL?: string
  limits?: Limits
}

/** Gemini's errors carry the JSON body in the message; a 429 names its retry delay in RetryInfo. */
function fail (name: string, err: any, signal?: AbortSignal): ProviderError {
  if (err instanceof ProviderError) return err
  if (typeof err?.status === 'number') {
    const delay = /"retryDelay":\s*"(\d+(?:\.\d+)?)s"/.exec(String(err.message ?? ''))
    const status = /"status":\s*"([A-Z_]+)"/.exec(String(err.message ?? ''))?.[1] ?? ''
    return httpError(name, err.status, delay != null ? Math.round(Number(delay[1]) * 1000) : undefined, status)
  }
  return transportError(name, err, signal)
}

/** Google Gemini, through the official `@google/genai` SDK. */
export class GeminiProvider implements Provider {
  readonly kind = 'gemini'
  readonly tier = 'cloud'
  readonly name: string
  private readonly client: GoogleGenAI
  private readonly limits: Limits

  constructor (init: GeminiProviderInit) {
    this.name = init.name ?? 'gemini'
    this.client = new GoogleGenAI({ apiKey: init.apiKey, httpOptions: { ...(init.baseURL != null ? { baseUrl: init.baseURL } : {}), retryOptions: { attempts: 1 } } as any })
    this.limits = init.limits ?? DEFAULT_LIMITS
  }

  async models (options: { signal?: AbortSignal } = {}): Promise<ModelInfo[]> {
    try {
      const out: ModelInfo[] = []
      const pager = await this.client.models.list({ config: { abortSignal: options.signal } })
      for await (const m of pager) out.push({ name: (m.name ?? '').replace(/^models\//, ''), contextLength: m.inputTokenLimit, loaded: true })
      return out
    } catch (err) {
      throw fail(this.name, err, options.signal)
    }
  }

  async chat (req: ChatRequest, options: ChatOptions = {}): Promise<ChatResult> {
    const maxTokens = applyLimits(this.name, req, this.limits)
    const watch = new Stopwatch()
    const { signal } = options
    const system = req.messages.filter(m => m.role === 'system').map(m => m.content).join('\n\n')
    try {
      const stream = await this.client.models.generateContentStream({
        model: req.model,
        contents: req.messages.filter(m => m.role !== 'system').map(m => ({ role: m.role === 'assistant' ? 'model' : 'user', parts: [{ text: m.content }] })),
        config: {
          maxOutputTokens: maxTokens,
          abortSignal: signal,
          ...(system !== '' ? { systemInstruction: system } : {}),
          ...(req.temperature != null ? { temperature: req.temperature } : {})
        }
      })
      let text = ''
      let finishReason = 'STOP'
      let model = req.model
      const usage = { inputTokens: 0, outputTokens: 0 }
      for await (const chunk of stream) {
        const piece = chunk.candidates?.[0]?.content?.parts?.map(p => p.text ?? '').join('') ?? ''
        if (piece !== '') {
          watch.text()
          text += piece
          options.onText?.(piece)
        }
        finishReason = chunk.candidates?.[0]?.finishReason ?? finishReason
        model = chunk.modelVersion ?? model
        if (chunk.usageMetadata != null) {
          usage.inputTokens = chunk.usageMetadata.promptTokenCount ?? usage.inputTokens
          usage.outputTokens = chunk.usageMetadata.candidatesTokenCount ?? usage.outputTokens
        }
      }
      signal?.throwIfAborted()
      return { text, model, finishReason, usage, firstTokenMs: watch.firstMs, totalMs: watch.totalMs }
    } catch (err) {
      throw fail(this.name, err, signal)
    }
  }
}
