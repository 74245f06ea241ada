import { GoogleGenAI } from '@google/genai'
import { ProviderError, httpError, transportError } from './errors.js'
import { Reply, applyLimits, systemPrompt } from './limits.js'
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
    const reply = new Reply(req.model, 'STOP', options.onText)
    const { signal } = options
    const system = systemPrompt(req.messages)
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
      for await (const chunk of stream) {
        reply.add(chunk.candidates?.[0]?.content?.parts?.map(p => p.text ?? '').join('') ?? '')
        reply.finishReason = chunk.candidates?.[0]?.finishReason ?? reply.finishReason
        reply.model = chunk.modelVersion ?? reply.model
        const u = chunk.usageMetadata
        if (u != null) reply.usage = { inputTokens: u.promptTokenCount ?? reply.usage.inputTokens, outputTokens: u.candidatesTokenCount ?? reply.usage.outputTokens }
      }
      return reply.result(signal)
    } catch (err) {
      throw fail(this.name, err, signal)
    }
  }
}
