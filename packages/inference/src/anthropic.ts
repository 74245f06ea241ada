import Anthropic from '@anthropic-ai/sdk'
import { stainlessError } from './openai.js'
import { Stopwatch, applyLimits } from './limits.js'
import { DEFAULT_LIMITS } from './types.js'
import type { ChatOptions, ChatRequest, ChatResult, Limits, ModelInfo, Provider } from './types.js'

export interface AnthropicProviderInit {
  name?: string
  /** ANTHROPIC_API_KEY or the node's config; it stays on this node. */
  apiKey: string
  /** Overridable (a proxy, or a test fixture). */
  baseURL?: string
  limits?: Limits
}

/** Claude, through the official `@anthropic-ai/sdk`. */
export class AnthropicProvider implements Provider {
  readonly kind = 'anthropic'
  readonly tier = 'cloud'
  readonly name: string
  private readonly client: Anthropic
  private readonly limits: Limits

  constructor (init: AnthropicProviderInit) {
    this.name = init.name ?? 'anthropic'
    this.client = new Anthropic({ apiKey: init.apiKey, maxRetries: 0, ...(init.baseURL != null ? { baseURL: init.baseURL } : {}) })
    this.limits = init.limits ?? DEFAULT_LIMITS
  }

  async models (options: { signal?: AbortSignal } = {}): Promise<ModelInfo[]> {
    try {
      const out: ModelInfo[] = []
      for await (const m of this.client.models.list({}, { signal: options.signal })) out.push({ name: m.id, loaded: true })
      return out
    } catch (err) {
      throw stainlessError(this.name, err, options.signal)
    }
  }

  async chat (req: ChatRequest, options: ChatOptions = {}): Promise<ChatResult> {
    const maxTokens = applyLimits(this.name, req, this.limits)
    const watch = new Stopwatch()
    const { signal } = options
    const system = req.messages.filter(m => m.role === 'system').map(m => m.content).join('\n\n')
    try {
      const stream = await this.client.messages.create({
        model: req.model,
        max_tokens: maxTokens,
        stream: true,
        messages: req.messages.filter(m => m.role !== 'system').map(m => ({ role: m.role as 'user' | 'assistant', content: m.content })),
        ...(system !== '' ? { system } : {}),
        ...(req.temperature != null ? { temperature: req.temperature } : {})
      }, { signal })
      let text = ''
      let finishReason = 'end_turn'
      let model = req.model
      const usage = { inputTokens: 0, outputTokens: 0 }
      for await (const ev of stream) {
        if (ev.type === 'message_start') {
          model = ev.message.model
          usage.inputTokens = ev.message.usage.input_tokens
        } else if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') {
          watch.text()
          text += ev.delta.text
          options.onText?.(ev.delta.text)
        } else if (ev.type === 'message_delta') {
          finishReason = ev.delta.stop_reason ?? finishReason
          usage.outputTokens = ev.usage.output_tokens
        }
      }
      // the SDK's stream ends quietly when its signal aborts
      signal?.throwIfAborted()
      return { text, model, finishReason, usage, firstTokenMs: watch.firstMs, totalMs: watch.totalMs }
    } catch (err) {
      throw stainlessError(this.name, err, signal)
    }
  }
}
