import { lazyClient } from './sdk.js'
import { ProviderError, httpError, retryAfterMs, transportError } from './errors.js'
import { Reply, applyLimits, base64, finishReasonOf } from './limits.js'
import { DEFAULT_LIMITS } from './types.js'
import type { Capability, ChatMessage, ChatOptions, ChatRequest, ChatResult, EmbedRequest, EmbedResult, Limits, ModelInfo, Provider, Tier } from './types.js'
import type OpenAI from 'openai'
import type { ChatCompletionMessageParam, ChatCompletionToolChoiceOption } from 'openai/resources/chat/completions'

export interface OpenAIProviderInit {
  name?: string
  /** e.g. http://127.0.0.1:8080/v1 (llama.cpp server), http://127.0.0.1:1234/v1 (LM Studio). */
  baseURL: string
  apiKey?: string
  /** A server on this device or the LAN is `local` (the default); a hosted one `cloud`. */
  tier?: Tier
  limits?: Limits
  /** What its models do beyond chat (the API does not say): tools, vision, json; default json. */
  capabilities?: Capability[]
  contextLength?: number
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

/** The SDK's message shapes: parts for images, tool calls on assistant messages, tool messages by call id. */
export function openaiMessages (messages: ChatMessage[]): ChatCompletionMessageParam[] {
  return messages.map((m): ChatCompletionMessageParam => {
    if (m.role === 'tool') return { role: 'tool', tool_call_id: m.toolCallId ?? '', content: m.content }
    if (m.role === 'assistant') {
      return {
        role: 'assistant',
        content: m.content === '' && (m.toolCalls?.length ?? 0) > 0 ? null : m.content,
        ...(m.toolCalls != null && m.toolCalls.length > 0 ? { tool_calls: m.toolCalls.map(c => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })) } : {})
      }
    }
    if (m.role === 'user' && m.images != null && m.images.length > 0) {
      return { role: 'user', content: [{ type: 'text', text: m.content }, ...m.images.map(i => ({ type: 'image_url' as const, image_url: { url: `data:${i.mimeType};base64,${base64(i.data)}` } }))] }
    }
    return { role: m.role, content: m.content }
  })
}

/** Tool calls as the stream sends them: pieces per index, complete once the next index starts or the stream ends. */
class ToolCallAssembler {
  private readonly calls = new Map<number, { id: string, name: string, args: string }>()
  private current = -1
  constructor (private readonly reply: Reply) {}

  push (delta: Array<{ index: number, id?: string, function?: { name?: string, arguments?: string } }>): void {
    for (const d of delta) {
      if (d.index !== this.current) this.flush()
      this.current = d.index
      const c = this.calls.get(d.index) ?? { id: '', name: '', args: '' }
      if (d.id != null && d.id !== '') c.id = d.id
      if (d.function?.name != null) c.name += d.function.name
      if (d.function?.arguments != null) c.args += d.function.arguments
      this.calls.set(d.index, c)
    }
  }

  /** The call being assembled is complete. */
  flush (): void {
    const c = this.calls.get(this.current)
    if (c == null) return
    this.calls.delete(this.current)
    this.reply.call(c.name, c.args, c.id)
  }
}

/** The presence and frequency penalties of a request's backend options, for the APIs that take them. */
export function penalties (req: ChatRequest): { presence_penalty?: number, frequency_penalty?: number } {
  const o = req.options ?? {}
  return {
    ...(typeof o.presence_penalty === 'number' ? { presence_penalty: o.presence_penalty } : {}),
    ...(typeof o.frequency_penalty === 'number' ? { frequency_penalty: o.frequency_penalty } : {})
  }
}

export function openaiToolChoice (choice: ChatRequest['toolChoice']): ChatCompletionToolChoiceOption | undefined {
  if (choice == null) return undefined
  return typeof choice === 'object' ? { type: 'function', function: { name: choice.name } } : choice
}

/** An OpenAI-compatible server (llama.cpp, LM Studio, vLLM, ...) through the official `openai` SDK. */
export class OpenAIProvider implements Provider {
  readonly kind = 'openai'
  readonly name: string
  readonly tier: Tier
  private readonly client: () => Promise<OpenAI>
  private readonly limits: Limits
  private readonly capabilities: Capability[]
  private readonly contextLength?: number

  constructor (init: OpenAIProviderInit) {
    this.name = init.name ?? 'openai'
    this.tier = init.tier ?? 'local'
    // retries are the router's business: it knows the other candidates
    this.client = lazyClient(async () => {
      const { default: OpenAI } = await import('openai')
      return new OpenAI({ baseURL: init.baseURL, apiKey: init.apiKey ?? 'none', maxRetries: 0 })
    })
    this.limits = init.limits ?? DEFAULT_LIMITS
    this.capabilities = ['completion', ...(init.capabilities ?? ['json']).filter(c => c !== 'embedding' && c !== 'completion')]
    this.contextLength = init.contextLength
  }

  async models (options: { signal?: AbortSignal } = {}): Promise<ModelInfo[]> {
    try {
      const out: ModelInfo[] = []
      for await (const m of (await this.client()).models.list({ signal: options.signal })) {
        // the API does not say what a model does: an embedding model says so in its name
        const embedding = /embed/i.test(m.id)
        out.push({ name: m.id, loaded: true, capabilities: embedding ? ['embedding'] : this.capabilities, ...(this.contextLength != null ? { contextLength: this.contextLength } : {}) })
      }
      return out
    } catch (err) {
      throw stainlessError(this.name, err, options.signal)
    }
  }

  async chat (req: ChatRequest, options: ChatOptions = {}): Promise<ChatResult> {
    const maxTokens = applyLimits(this.name, req, this.limits)
    const reply = new Reply(req.model, 'stop', options.onText, options.onToolCall)
    const tools = new ToolCallAssembler(reply)
    const { signal } = options
    const format = req.format == null
      ? undefined
      : req.format.type === 'json'
        ? { type: 'json_object' as const }
        : { type: 'json_schema' as const, json_schema: { name: req.format.name ?? 'output', schema: req.format.schema, ...(req.format.strict != null ? { strict: req.format.strict } : {}) } }
    try {
      const stream = await (await this.client()).chat.completions.create({
        model: req.model,
        messages: openaiMessages(req.messages),
        max_tokens: maxTokens,
        stream: true,
        stream_options: { include_usage: true },
        ...(req.temperature != null ? { temperature: req.temperature } : {}),
        ...(req.topP != null ? { top_p: req.topP } : {}),
        ...(req.seed != null ? { seed: req.seed } : {}),
        ...(req.stop != null && req.stop.length > 0 ? { stop: req.stop } : {}),
        ...penalties(req),
        ...(req.tools != null && req.tools.length > 0 ? { tools: req.tools.map(t => ({ type: 'function' as const, function: { name: t.name, ...(t.description != null ? { description: t.description } : {}), parameters: t.parameters } })) } : {}),
        ...(req.tools != null && req.tools.length > 0 && req.toolChoice != null ? { tool_choice: openaiToolChoice(req.toolChoice) } : {}),
        ...(format != null ? { response_format: format } : {})
      }, { signal })
      for await (const chunk of stream) {
        reply.model = chunk.model ?? reply.model
        const choice = chunk.choices[0]
        reply.add(choice?.delta?.content ?? '')
        if (choice?.delta?.tool_calls != null) tools.push(choice.delta.tool_calls)
        if (choice?.finish_reason != null) {
          tools.flush()
          reply.finishReason = finishReasonOf(choice.finish_reason)
        }
        if (chunk.usage != null) reply.usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens }
      }
      tools.flush()
      // the SDK's stream ends quietly when its signal aborts: result() throws then
      return reply.result(signal)
    } catch (err) {
      throw stainlessError(this.name, err, signal)
    }
  }

  async embed (req: EmbedRequest, options: { signal?: AbortSignal } = {}): Promise<EmbedResult> {
    const started = performance.now()
    try {
      const r = await (await this.client()).embeddings.create({ model: req.model, input: req.inputs, encoding_format: 'float' }, { signal: options.signal })
      const vectors: Float32Array[] = new Array(req.inputs.length)
      for (const d of r.data) if (d.index >= 0 && d.index < vectors.length) vectors[d.index] = Float32Array.from(d.embedding)
      if (vectors.some(v => v == null) || r.data.length !== req.inputs.length) throw new ProviderError('server', this.name, `asked for ${req.inputs.length} embeddings, got ${r.data.length}`)
      return { model: r.model ?? req.model, vectors, inputTokens: r.usage?.prompt_tokens ?? 0, totalMs: Math.round((performance.now() - started) * 10) / 10 }
    } catch (err) {
      throw stainlessError(this.name, err, options.signal)
    }
  }
}
