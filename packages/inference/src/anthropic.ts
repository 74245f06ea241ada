import Anthropic from '@anthropic-ai/sdk'
import { stainlessError } from './openai.js'
import { Reply, applyLimits, systemPrompt } from './limits.js'
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
    const reply = new Reply(req.model, 'end_turn', options.onText)
    const { signal } = options
    const system = systemPrompt(req.messages)
    try {
      const stream = await this.client.messages.create({
        model: req.model,
        max_tokens: maxTokens,
        stream: true,
        messages: req.messages.filter(m => m.role !== 'system').map(m => ({ role: m.role as 'user' | 'assistant', content: m.content })),
        ...(system !== '' ? { system } : {}),
        ...(req.temperature != null ? { temperature: req.temperature } : {})
      }, { signal })
      for await (const ev of stream) {
        if (ev.type === 'message_start') {
          reply.model = ev.message.model
          reply.usage.inputTokens = ev.message.usage.input_tokens
        } else if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') {
          reply.add(ev.delta.text)
        } else if (ev.type === 'message_delta') {
          reply.finishReason = ev.delta.stop_reason ?? reply.finishReason
          reply.usage.outputTokens = ev.usage.output_tokens
        }
      }
      // the SDK's stream ends quietly when its signal aborts: result() throws then
      return reply.result(signal)
    } catch (err) {
      throw stainlessError(this.name, err, signal)
    }
  }
}
