import { lazyClient } from './sdk.js'
import { stainlessError } from './openai.js'
import { Reply, applyLimits, argumentsObject, base64, finishReasonOf, systemPrompt } from './limits.js'
import { DEFAULT_LIMITS } from './types.js'
import type { ChatMessage, ChatOptions, ChatRequest, ChatResult, Limits, ModelInfo, Provider } from './types.js'
import type Anthropic from '@anthropic-ai/sdk'
import type { ContentBlockParam, MessageParam, Tool, ToolChoice, ToolUnion } from '@anthropic-ai/sdk/resources/messages'

export interface AnthropicProviderInit {
  name?: string
  /** ANTHROPIC_API_KEY or the node's config; it stays on this node. */
  apiKey: string
  /** Overridable (a proxy, or a test fixture). */
  baseURL?: string
  limits?: Limits
}

/** The name of the tool through which a JSON-schema answer is asked for (Claude's way to hold output to a schema). */
export const JSON_TOOL = 'json_output'

/** Claude's turns: system apart, roles alternating (consecutive ones merged), tool results as user blocks, images as base64 blocks. */
export function anthropicMessages (messages: ChatMessage[]): MessageParam[] {
  const out: MessageParam[] = []
  for (const m of messages) {
    if (m.role === 'system') continue
    const blocks: ContentBlockParam[] = []
    if (m.role === 'tool') {
      blocks.push({ type: 'tool_result', tool_use_id: m.toolCallId ?? '', content: m.content })
    } else {
      if (m.content !== '') blocks.push({ type: 'text', text: m.content })
      for (const i of m.images ?? []) blocks.push({ type: 'image', source: { type: 'base64', media_type: i.mimeType as 'image/png', data: base64(i.data) } })
      for (const c of m.toolCalls ?? []) blocks.push({ type: 'tool_use', id: c.id, name: c.name, input: argumentsObject(c.arguments) })
    }
    const role = m.role === 'assistant' ? 'assistant' : 'user'
    const last = out[out.length - 1]
    if (last != null && last.role === role) {
      last.content = [...(typeof last.content === 'string' ? [{ type: 'text' as const, text: last.content }] : last.content), ...blocks]
    } else {
      out.push({ role, content: blocks.length === 0 ? [{ type: 'text', text: '' }] : blocks })
    }
  }
  return out
}

/** Tools and tool choice in Claude's terms; a JSON format becomes one forced tool whose input is the answer. */
function anthropicTools (req: ChatRequest): { tools?: ToolUnion[], tool_choice?: ToolChoice, jsonTool: boolean } {
  const tools: ToolUnion[] = (req.tools ?? []).map(t => ({ name: t.name, ...(t.description != null ? { description: t.description } : {}), input_schema: t.parameters as Tool['input_schema'] }))
  if (req.format != null && tools.length === 0) {
    const schema = req.format.type === 'json_schema' ? req.format.schema : { type: 'object' }
    return { tools: [{ name: JSON_TOOL, description: 'Give the answer as this tool\'s input.', input_schema: schema as Tool['input_schema'] }], tool_choice: { type: 'tool', name: JSON_TOOL }, jsonTool: true }
  }
  if (tools.length === 0) return { jsonTool: false }
  const c = req.toolChoice
  const tool_choice: ToolChoice | undefined = c == null ? undefined : c === 'auto' ? { type: 'auto' } : c === 'none' ? { type: 'none' } : c === 'required' ? { type: 'any' } : { type: 'tool', name: c.name }
  return { tools, ...(tool_choice != null ? { tool_choice } : {}), jsonTool: false }
}

/** Claude, through the official `@anthropic-ai/sdk`. */
export class AnthropicProvider implements Provider {
  readonly kind = 'anthropic'
  readonly tier = 'cloud'
  readonly name: string
  private readonly client: () => Promise<Anthropic>
  private readonly limits: Limits

  constructor (init: AnthropicProviderInit) {
    this.name = init.name ?? 'anthropic'
    this.client = lazyClient(async () => {
      const { default: Anthropic } = await import('@anthropic-ai/sdk')
      return new Anthropic({ apiKey: init.apiKey, maxRetries: 0, ...(init.baseURL != null ? { baseURL: init.baseURL } : {}) })
    })
    this.limits = init.limits ?? DEFAULT_LIMITS
  }

  async models (options: { signal?: AbortSignal } = {}): Promise<ModelInfo[]> {
    try {
      const out: ModelInfo[] = []
      for await (const m of (await this.client()).models.list({}, { signal: options.signal })) out.push({ name: m.id, loaded: true, capabilities: ['completion', 'tools', 'vision', 'json'], contextLength: 200_000 })
      return out
    } catch (err) {
      throw stainlessError(this.name, err, options.signal)
    }
  }

  async chat (req: ChatRequest, options: ChatOptions = {}): Promise<ChatResult> {
    const maxTokens = applyLimits(this.name, req, this.limits)
    const reply = new Reply(req.model, 'stop', options.onText, options.onToolCall)
    const { signal } = options
    const system = systemPrompt(req.messages)
    const { tools, tool_choice: toolChoice, jsonTool } = anthropicTools(req)
    /** The tool_use block being streamed: its name and JSON so far. */
    let block: { id: string, name: string, json: string } | undefined
    try {
      const stream = await (await this.client()).messages.create({
        model: req.model,
        max_tokens: maxTokens,
        stream: true,
        messages: anthropicMessages(req.messages),
        ...(system !== '' ? { system } : {}),
        ...(req.temperature != null ? { temperature: req.temperature } : {}),
        ...(req.topP != null ? { top_p: req.topP } : {}),
        ...(req.stop != null && req.stop.length > 0 ? { stop_sequences: req.stop } : {}),
        ...(tools != null ? { tools } : {}),
        ...(toolChoice != null ? { tool_choice: toolChoice } : {})
      }, { signal })
      for await (const ev of stream) {
        if (ev.type === 'message_start') {
          reply.model = ev.message.model
          reply.usage.inputTokens = ev.message.usage.input_tokens
        } else if (ev.type === 'content_block_start' && ev.content_block.type === 'tool_use') {
          block = { id: ev.content_block.id, name: ev.content_block.name, json: '' }
        } else if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') {
          reply.add(ev.delta.text)
        } else if (ev.type === 'content_block_delta' && ev.delta.type === 'input_json_delta' && block != null) {
          block.json += ev.delta.partial_json
          // a JSON answer asked for through the tool is the answer's text, streamed as it comes
          if (jsonTool) reply.add(ev.delta.partial_json)
        } else if (ev.type === 'content_block_stop' && block != null) {
          if (!jsonTool) reply.call(block.name, block.json, block.id)
          block = undefined
        } else if (ev.type === 'message_delta') {
          reply.finishReason = jsonTool && ev.delta.stop_reason === 'tool_use' ? 'stop' : finishReasonOf(ev.delta.stop_reason)
          if (ev.delta.stop_sequence != null) reply.stopSequence = ev.delta.stop_sequence
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
