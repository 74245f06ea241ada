/**
 * The Anthropic Messages API: messages (JSON and the event stream),
 * count_tokens and the model list, as `@anthropic-ai/sdk` and Claude Code
 * send and parse them.
 */
import { estimateTokens } from '@smesh/inference'
import { GatewayError } from './errors.js'
import { MAX_MESSAGES, MAX_TOOLS, argumentsValue, array, image, object, optBool, optInt, optNumber, schemaFormat, stops, toolDef } from './body.js'
import { smeshField } from './call.js'
import type { ChatWire, Where } from './call.js'
import type { Json } from './body.js'
import type { MeshModel } from './models.js'
import type { ChatMessage, ImagePart, ToolChoice, ToolDef } from '@smesh/inference'
import type { TaskInput, TaskOutcome } from '@smesh/tasks'

/** Blocks that carry nothing a model of the mesh can use, and are left out: earlier thinking, cache markers. */
const DROPPED = new Set(['thinking', 'redacted_thinking'])

/** Claude Code's first system block: a value that changes every request (it would defeat every backend's prompt cache), for Anthropic's billing. */
const BILLING_HEADER = /^x-anthropic-billing-header:/

/**
 * The text of a system prompt or a tool result, and its images. Blocks a
 * model of the mesh cannot use are left out here (tool references, earlier
 * thinking): a tool's result is still whole in its text.
 */
function textOf (v: unknown, param: string, images?: ImagePart[]): string {
  if (typeof v === 'string') return v
  const texts: string[] = []
  array(v, param, 1024).forEach((raw, i) => {
    const b = object(raw, `${param}[${i}]`)
    if (b.type === 'text' && !BILLING_HEADER.test(String(b.text ?? ''))) texts.push(String(b.text ?? ''))
    else if (b.type === 'image' && images != null) images.push(imageBlock(b, `${param}[${i}]`))
  })
  return texts.join(images == null ? '\n\n' : '')
}

function imageBlock (b: Json, param: string): ImagePart {
  const src = object(b.source, `${param}.source`)
  if (src.type !== 'base64') throw new GatewayError('invalid', `${param}.source: images must be sent as base64; the mesh does not fetch image URLs`, { param })
  return image(src.data, `${param}.source.data`, typeof src.media_type === 'string' ? src.media_type : undefined)
}

/** Claude's turns as the mesh's messages: tool results become tool messages, before the user's text of the same turn. */
export function anthropicMessages (system: unknown, v: unknown): ChatMessage[] {
  const out: ChatMessage[] = []
  if (system != null) out.push({ role: 'system', content: textOf(system, 'system') })
  array(v, 'messages', MAX_MESSAGES).forEach((raw, i) => {
    const m = object(raw, `messages[${i}]`)
    const param = `messages[${i}].content`
    if (m.role !== 'user' && m.role !== 'assistant') throw new GatewayError('invalid', `messages[${i}].role must be user or assistant`, { param: `messages[${i}].role` })
    if (typeof m.content === 'string') {
      out.push({ role: m.role, content: m.content })
      return
    }
    const images: ImagePart[] = []
    let text = ''
    const calls: ChatMessage['toolCalls'] = []
    array(m.content, param, 1024).forEach((rawBlock, j) => {
      const b = object(rawBlock, `${param}[${j}]`)
      const at = `${param}[${j}]`
      if (b.type === 'text') text += String(b.text ?? '')
      else if (b.type === 'image' && m.role === 'user') images.push(imageBlock(b, at))
      else if (b.type === 'tool_use' && m.role === 'assistant') calls.push({ id: String(b.id ?? ''), name: String(b.name ?? ''), arguments: JSON.stringify(b.input ?? {}) })
      else if (b.type === 'tool_result' && m.role === 'user') {
        const resultImages: ImagePart[] = []
        const content = b.content == null ? '' : textOf(b.content, `${at}.content`, resultImages)
        out.push({ role: 'tool', content: b.is_error === true ? `Error: ${content}` : content, toolCallId: String(b.tool_use_id ?? '') })
        images.push(...resultImages)
      } else if (!DROPPED.has(String(b.type))) {
        throw new GatewayError('unsupported', `${at}: a ${JSON.stringify(String(b.type).slice(0, 30))} block is not supported through the mesh (text, image, tool_use and tool_result are)`, { param })
      }
    })
    if (m.role === 'assistant') out.push({ role: 'assistant', content: text, ...(calls.length > 0 ? { toolCalls: calls } : {}) })
    else if (text !== '' || images.length > 0) out.push({ role: 'user', content: text, ...(images.length > 0 ? { images } : {}) })
  })
  return out
}

/** The request's custom tools. Anthropic's server tools (web search, code execution) run at Anthropic, not in the mesh: they are left out, as a model without them would do. */
function tools (v: unknown): ToolDef[] | undefined {
  if (v == null) return undefined
  return array(v, 'tools', MAX_TOOLS).flatMap((raw, i) => {
    const t = object(raw, `tools[${i}]`)
    if (t.type != null && t.type !== 'custom') return []
    return [toolDef(t.name, t.description, t.input_schema, `tools[${i}]`)]
  })
}

function toolChoice (v: unknown): ToolChoice | undefined {
  if (v == null) return undefined
  const c = object(v, 'tool_choice')
  switch (c.type) {
    case 'auto': return 'auto'
    case 'any': return 'required'
    case 'none': return 'none'
    case 'tool': if (typeof c.name === 'string') return { name: c.name }
  }
  throw new GatewayError('invalid', 'tool_choice.type must be auto, any, tool (with a name) or none', { param: 'tool_choice' })
}

/** A Messages request as a mesh task (the model is resolved by the caller). */
export function anthropicChat (b: Json, spec: string): { input: TaskInput, stream: boolean } {
  const maxTokens = optInt(b.max_tokens, 'max_tokens', 1, 10_000_000)
  if (maxTokens == null) throw new GatewayError('invalid', 'max_tokens: Field required', { param: 'max_tokens' })
  const temperature = optNumber(b.temperature, 'temperature', 0, 1)
  const topP = optNumber(b.top_p, 'top_p', 0, 1)
  const topK = optInt(b.top_k, 'top_k', 0, 100_000)
  const stop = stops(b.stop_sequences, 'stop_sequences')
  const defs = tools(b.tools)
  const choice = toolChoice(b.tool_choice)
  // Claude Code asks some side queries for a JSON-schema answer this way
  const oc = b.output_config == null ? undefined : object(b.output_config, 'output_config')
  const of = oc?.format == null ? undefined : object(oc.format, 'output_config.format')
  const format = of?.type === 'json_schema' ? schemaFormat(of.schema, of.name, undefined, 'output_config.format.schema') : undefined
  return {
    stream: optBool(b.stream, 'stream') ?? false,
    input: {
      model: spec,
      messages: anthropicMessages(b.system, b.messages),
      maxTokens,
      ...(temperature != null ? { temperature } : {}),
      ...(topP != null ? { topP } : {}),
      ...(topK != null ? { options: { top_k: topK } } : {}),
      ...(stop != null ? { stop } : {}),
      ...(defs != null && defs.length > 0 ? { tools: defs } : {}),
      ...(choice != null && defs != null && defs.length > 0 ? { toolChoice: choice } : {}),
      ...(format != null ? { format } : {})
    }
  }
}

/** An estimate of the request's input tokens (no tokenizer of the model is at hand). */
export function anthropicCountTokens (b: Json): Json {
  return { input_tokens: estimateTokens(anthropicMessages(b.system, b.messages), tools(b.tools) ?? []) }
}

function stopReason (o: TaskOutcome): string {
  if (o.finishReason === 'tool_calls') return 'tool_use'
  if (o.finishReason === 'length') return 'max_tokens'
  if (o.finishReason === 'content_filter') return 'refusal'
  return o.stopSequence != null ? 'stop_sequence' : 'end_turn'
}

const toolUse = (c: { id: string, name: string, arguments: string }): Json => ({ type: 'tool_use', id: c.id, name: c.name, input: argumentsValue(c.arguments) })

export function anthropicMessage (o: TaskOutcome, usage: { input: number, output: number }, where: Where): Json {
  return {
    id: `msg_${o.task}`,
    type: 'message',
    role: 'assistant',
    model: o.model,
    content: [...(o.text !== '' || o.toolCalls.length === 0 ? [{ type: 'text', text: o.text }] : []), ...o.toolCalls.map(toolUse)],
    stop_reason: stopReason(o),
    stop_sequence: o.stopSequence ?? null,
    usage: { input_tokens: usage.input, output_tokens: usage.output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    smesh: smeshField(where)
  }
}

/**
 * The event stream: message_start, then content blocks (text deltas; a
 * tool_use block per tool call with its whole input as one input_json_delta),
 * message_delta with the stop reason and usage, message_stop; ping while
 * quiet; event: error for a failure after the start.
 */
export function anthropicWire (promptTokens: number, usageOf: (o: TaskOutcome) => { input: number, output: number }): ChatWire {
  const ev = (type: string, data: Json): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`
  let index = 0
  let textOpen = false
  const closeText = (): string => {
    if (!textOpen) return ''
    textOpen = false
    return ev('content_block_stop', { index: index++ })
  }
  return {
    api: 'anthropic',
    contentType: 'text/event-stream',
    keepAlive: () => ev('ping', {}),
    preamble: (where) => ev('message_start', { message: { id: `msg_${where.task !== '' ? where.task : Date.now().toString(36)}`, type: 'message', role: 'assistant', model: where.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: promptTokens, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } } }) + ev('ping', {}),
    text: (t) => {
      const open = textOpen ? '' : ev('content_block_start', { index, content_block: { type: 'text', text: '' } })
      textOpen = true
      return open + ev('content_block_delta', { index, delta: { type: 'text_delta', text: t } })
    },
    toolCall: (c) => {
      const close = closeText()
      const i = index++
      return close + ev('content_block_start', { index: i, content_block: { type: 'tool_use', id: c.id, name: c.name, input: {} } }) +
        ev('content_block_delta', { index: i, delta: { type: 'input_json_delta', partial_json: JSON.stringify(toolUse(c).input) } }) +
        ev('content_block_stop', { index: i })
    },
    end: (o, where) => {
      const u = usageOf(o)
      const empty = index === 0 && !textOpen ? ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }) + ev('content_block_stop', { index: 0 }) : ''
      return empty + closeText() + ev('message_delta', { delta: { stop_reason: stopReason(o), stop_sequence: o.stopSequence ?? null }, usage: { input_tokens: u.input, output_tokens: u.output }, smesh: smeshField(where) }) + ev('message_stop', {})
    },
    error: (e) => `event: error\ndata: ${JSON.stringify(e.body('anthropic'))}\n\n`
  }
}

export function anthropicModel (m: MeshModel): Json {
  return { type: 'model', id: m.name, display_name: m.spec ? `${m.name} (the mesh chooses)` : m.name, created_at: '2025-01-01T00:00:00Z', smesh: { spec: m.spec, capabilities: m.capabilities, contextLength: m.contextLength, where: m.where } }
}

export function anthropicModels (models: MeshModel[]): Json {
  const data = models.map(anthropicModel)
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null }
}
