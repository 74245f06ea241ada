/**
 * The OpenAI API: chat completions (JSON and server-sent chunks), embeddings
 * and the model list, as the `openai` SDK and the clients on it send and
 * parse them.
 */
import { GatewayError } from './errors.js'
import { MAX_MESSAGES, MAX_TOOLS, array, image, object, optBool, optInt, optNumber, schemaFormat, stops, toolDef } from './body.js'
import { smeshField } from './call.js'
import type { ChatWire, Where } from './call.js'
import type { Json } from './body.js'
import type { MeshModel } from './models.js'
import type { ChatMessage, ImagePart, ToolCall, ToolChoice } from '@smesh/inference'
import type { TaskInput, TaskOutcome } from '@smesh/tasks'

/** A message's content: a string, or parts of text (and images for a user). */
function content (v: unknown, param: string, images?: ImagePart[]): string {
  if (v == null) return ''
  if (typeof v === 'string') return v
  const parts = array(v, param, 256)
  let text = ''
  parts.forEach((p, i) => {
    const part = object(p, `${param}[${i}]`)
    if (part.type === 'text' || part.type === 'input_text' || part.type === 'refusal') text += String(part.text ?? part.refusal ?? '')
    else if (part.type === 'image_url' && images != null) images.push(image(object(part.image_url, `${param}[${i}].image_url`).url, `${param}[${i}].image_url.url`))
    else throw new GatewayError('unsupported', `${param}[${i}]: content of type ${JSON.stringify(String(part.type).slice(0, 30))} is not supported here (text${images != null ? ' and image_url' : ''} are)`, { param })
  })
  return text
}

function toolCalls (v: unknown, param: string): ToolCall[] {
  return array(v, param, 64).map((c, i) => {
    const call = object(c, `${param}[${i}]`)
    const fn = object(call.function, `${param}[${i}].function`)
    return { id: String(call.id ?? `call_${i}`), name: String(fn.name ?? ''), arguments: typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {}) }
  })
}

export function openaiMessages (v: unknown): ChatMessage[] {
  return array(v, 'messages', MAX_MESSAGES).map((raw, i): ChatMessage => {
    const m = object(raw, `messages[${i}]`)
    const param = `messages[${i}].content`
    switch (m.role) {
      case 'system': case 'developer': return { role: 'system', content: content(m.content, param) }
      case 'user': {
        const images: ImagePart[] = []
        const text = content(m.content, param, images)
        return { role: 'user', content: text, ...(images.length > 0 ? { images } : {}) }
      }
      case 'assistant': {
        const calls = m.tool_calls != null ? toolCalls(m.tool_calls, `messages[${i}].tool_calls`) : m.function_call != null ? toolCalls([{ id: 'call_0', function: m.function_call }], `messages[${i}].function_call`) : []
        return { role: 'assistant', content: content(m.content, param), ...(calls.length > 0 ? { toolCalls: calls } : {}) }
      }
      case 'tool': return { role: 'tool', content: content(m.content, param), ...(typeof m.tool_call_id === 'string' ? { toolCallId: m.tool_call_id } : {}) }
      case 'function': return { role: 'tool', content: content(m.content, param), ...(typeof m.name === 'string' ? { name: m.name } : {}) }
      default: throw new GatewayError('invalid', `messages[${i}].role must be system, developer, user, assistant or tool`, { param: `messages[${i}].role` })
    }
  })
}

function toolChoice (v: unknown): ToolChoice | undefined {
  if (v == null) return undefined
  if (v === 'auto' || v === 'none' || v === 'required') return v
  const o = object(v, 'tool_choice')
  const name = object(o.function, 'tool_choice.function').name
  if (typeof name !== 'string') throw new GatewayError('invalid', 'tool_choice.function.name must be a tool\'s name', { param: 'tool_choice' })
  return { name }
}

/** A chat completion request as a mesh task (the model is resolved by the caller). */
export function openaiChat (b: Json, spec: string): { input: TaskInput, stream: boolean, includeUsage: boolean } {
  const n = optInt(b.n, 'n', 1, 128)
  if (n != null && n !== 1) throw new GatewayError('unsupported', 'n must be 1: the mesh gives one answer per request', { param: 'n' })
  if (b.logprobs === true) throw new GatewayError('unsupported', 'logprobs are not available through the mesh', { param: 'logprobs' })
  const tools = b.tools == null ? undefined : array(b.tools, 'tools', MAX_TOOLS).map((t, i) => {
    const tool = object(t, `tools[${i}]`)
    if (tool.type !== 'function') throw new GatewayError('unsupported', `tools[${i}]: only function tools are supported`, { param: `tools[${i}].type` })
    const fn = object(tool.function, `tools[${i}].function`)
    return toolDef(fn.name, fn.description, fn.parameters, `tools[${i}].function`)
  })
  const rf = b.response_format == null ? undefined : object(b.response_format, 'response_format')
  const format = rf == null || rf.type === 'text'
    ? undefined
    : rf.type === 'json_object'
      ? { type: 'json' as const }
      : rf.type === 'json_schema'
        ? schemaFormat(object(rf.json_schema, 'response_format.json_schema').schema, object(rf.json_schema, 'response_format.json_schema').name, object(rf.json_schema, 'response_format.json_schema').strict, 'response_format.json_schema.schema')
        : (() => { throw new GatewayError('invalid', 'response_format.type must be text, json_object or json_schema', { param: 'response_format' }) })()
  const options: Record<string, number> = {}
  for (const k of ['presence_penalty', 'frequency_penalty'] as const) {
    const v = optNumber(b[k], k, -2, 2)
    if (v != null) options[k] = v
  }
  const maxTokens = optInt(b.max_completion_tokens, 'max_completion_tokens', 1, 10_000_000) ?? optInt(b.max_tokens, 'max_tokens', 1, 10_000_000)
  const temperature = optNumber(b.temperature, 'temperature', 0, 2)
  const topP = optNumber(b.top_p, 'top_p', 0, 1)
  const seed = optInt(b.seed, 'seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)
  const stop = stops(b.stop, 'stop')
  const choice = toolChoice(b.tool_choice)
  const input: TaskInput = {
    model: spec,
    messages: openaiMessages(b.messages),
    ...(maxTokens != null ? { maxTokens } : {}),
    ...(temperature != null ? { temperature } : {}),
    ...(topP != null ? { topP } : {}),
    ...(seed != null ? { seed } : {}),
    ...(stop != null ? { stop } : {}),
    ...(tools != null && tools.length > 0 ? { tools } : {}),
    ...(choice != null && tools != null && tools.length > 0 ? { toolChoice: choice } : {}),
    ...(format != null ? { format } : {}),
    ...(Object.keys(options).length > 0 ? { options } : {})
  }
  const so = b.stream_options == null ? undefined : object(b.stream_options, 'stream_options')
  return { input, stream: optBool(b.stream, 'stream') ?? false, includeUsage: so?.include_usage === true }
}

const created = (): number => Math.floor(Date.now() / 1000)
const toolCallOut = (c: ToolCall): Json => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })

/** The whole answer as one chat.completion. */
export function openaiCompletion (o: TaskOutcome, usage: { input: number, output: number }, where: Where): Json {
  return {
    id: `chatcmpl-${o.task}`,
    object: 'chat.completion',
    created: created(),
    model: o.model,
    choices: [{
      index: 0,
      message: { role: 'assistant', content: o.text === '' && o.toolCalls.length > 0 ? null : o.text, refusal: null, ...(o.toolCalls.length > 0 ? { tool_calls: o.toolCalls.map(toolCallOut) } : {}) },
      logprobs: null,
      finish_reason: o.finishReason
    }],
    usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output },
    smesh: smeshField(where)
  }
}

/**
 * chat.completion.chunk events: no `event:` lines, no usage on ordinary
 * chunks; with include_usage one last chunk with empty choices and the usage
 * before `data: [DONE]`. A tool call is one delta with its index, id, name
 * and all of its arguments.
 */
export function openaiWire (includeUsage: boolean, usageOf: (o: TaskOutcome) => { input: number, output: number }): ChatWire {
  const id = `chatcmpl-${Date.now().toString(36)}`
  // one completion, one creation time (clients use it with the id)
  const at = created()
  let first = true
  const chunk = (where: Where, delta: Json, finish: string | null = null, extra: Json = {}): string =>
    `data: ${JSON.stringify({ id: where.task !== '' ? `chatcmpl-${where.task}` : id, object: 'chat.completion.chunk', created: at, model: where.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra })}\n\n`
  const role = (delta: Json): Json => {
    if (!first) return delta
    first = false
    return { role: 'assistant', ...delta }
  }
  return {
    api: 'openai',
    contentType: 'text/event-stream',
    keepAlive: () => ': keep-alive\n\n',
    text: (t, where) => chunk(where, role({ content: t })),
    toolCall: (c, index, where) => chunk(where, role({ tool_calls: [{ index, ...toolCallOut(c) }] })),
    end: (o, where) => {
      const u = usageOf(o)
      const last = chunk(where, first ? { role: 'assistant', content: '' } : {}, o.finishReason, { smesh: smeshField(where) })
      const usage = includeUsage ? `data: ${JSON.stringify({ id: `chatcmpl-${o.task}`, object: 'chat.completion.chunk', created: at, model: o.model, choices: [], usage: { prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output } })}\n\n` : ''
      return `${last}${usage}data: [DONE]\n\n`
    },
    error: (e) => `data: ${JSON.stringify(e.body('openai'))}\n\n`
  }
}

/** Texts to embed: a string or a list of strings (token-id inputs are refused). */
export function embedInputs (v: unknown, param: string): string[] {
  if (typeof v === 'string') return [v]
  const list = array(v, param, 4096)
  if (list.length === 0) throw new GatewayError('invalid', `${param} is empty`, { param })
  return list.map((s, i) => {
    if (typeof s !== 'string') throw new GatewayError('unsupported', `${param}[${i}] must be a string (token ids are not supported)`, { param })
    return s
  })
}

export function openaiEmbeddings (vectors: Float32Array[], model: string, inputTokens: number, format: unknown, where: Where): Json {
  const base64 = format === 'base64'
  return {
    object: 'list',
    data: vectors.map((v, index) => ({ object: 'embedding', index, embedding: base64 ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : [...v] })),
    model,
    usage: { prompt_tokens: inputTokens, total_tokens: inputTokens },
    smesh: smeshField(where)
  }
}

/** GET /v1/models: each model once, with where it runs; then best and best-local. */
export function openaiModels (models: MeshModel[]): Json {
  return { object: 'list', data: models.map(openaiModel) }
}

export function openaiModel (m: MeshModel): Json {
  return { id: m.name, object: 'model', created: 0, owned_by: m.spec ? 'smesh' : (m.where[0]?.device ?? 'smesh'), ...(m.contextLength > 0 ? { context_length: m.contextLength } : {}), smesh: { spec: m.spec, family: m.family, capabilities: m.capabilities, contextLength: m.contextLength, loaded: m.loaded, where: m.where } }
}
