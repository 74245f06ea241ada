/**
 * The Ollama API: chat and generate (NDJSON streams and stream: false),
 * embed and the older embeddings, tags, ps, show, version; as the `ollama`
 * package, Open WebUI and the editors on it send and parse them. Model
 * management is refused (routes.ts).
 */
import { GatewayError } from './errors.js'
import { BACKEND_OPTIONS, KEEP_ALIVE, MAX_KEEP_ALIVE_MS } from '@smesh/tasks'
import { MAX_MESSAGES, MAX_TOOLS, argumentsValue, array, image, object, optBool, optString, schemaFormat, stops, toolDef } from './body.js'
import { smeshField } from './call.js'
import type { ChatWire, Where } from './call.js'
import type { Json } from './body.js'
import type { MeshModel } from './models.js'
import type { BackendOptions, ChatMessage, ImagePart, OutputFormat, ToolCall } from '@smesh/inference'
import type { TaskInput, TaskOutcome } from '@smesh/tasks'

/** The Ollama release whose API this gateway speaks (clients read it as dotted numbers). */
export const OLLAMA_API_VERSION = '0.12.6'


const images = (v: unknown, param: string): ImagePart[] => v == null ? [] : array(v, param, 16).map((x, i) => image(x, `${param}[${i}]`))

function ollamaMessage (raw: unknown, i: number): ChatMessage {
  const m = object(raw, `messages[${i}]`)
  const content = optString(m.content, `messages[${i}].content`) ?? ''
  switch (m.role) {
    case 'system': return { role: 'system', content }
    case 'user': {
      const imgs = images(m.images, `messages[${i}].images`)
      return { role: 'user', content, ...(imgs.length > 0 ? { images: imgs } : {}) }
    }
    case 'assistant': {
      const calls: ToolCall[] = m.tool_calls == null
        ? []
        : array(m.tool_calls, `messages[${i}].tool_calls`, 64).map((c, j) => {
          const fn = object(object(c, `messages[${i}].tool_calls[${j}]`).function, `messages[${i}].tool_calls[${j}].function`)
          return { id: String((c as Json).id ?? `call_${i}_${j}`), name: String(fn.name ?? ''), arguments: typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {}) }
        })
      return { role: 'assistant', content, ...(calls.length > 0 ? { toolCalls: calls } : {}) }
    }
    case 'tool': return { role: 'tool', content, ...(typeof m.tool_name === 'string' ? { name: m.tool_name } : {}), ...(typeof m.tool_call_id === 'string' ? { toolCallId: m.tool_call_id } : {}) }
    default: throw new GatewayError('invalid', `messages[${i}].role must be system, user, assistant or tool`)
  }
}

function format (v: unknown): OutputFormat | undefined {
  if (v == null || v === '') return undefined
  if (v === 'json') return { type: 'json' }
  if (typeof v === 'object') return schemaFormat(v, 'format', undefined, 'format')
  throw new GatewayError('invalid', 'format must be "json" or a JSON schema')
}

/**
 * keep_alive as Ollama clients send it: a duration ("5m") or seconds; a
 * negative one (Ollama: forever) becomes the longest a serving device
 * keeps a model for a task (MAX_KEEP_ALIVE_MS).
 */
function keepAlive (v: unknown): string | undefined {
  if (v == null) return undefined
  const forever = `${MAX_KEEP_ALIVE_MS / 60_000}m`
  if (typeof v === 'number' && Number.isFinite(v)) return v < 0 ? forever : `${Math.trunc(v)}s`
  if (typeof v === 'string' && /^-?\d{1,9}(\.\d+)?(ns|us|µs|ms|s|m|h)?$/.test(v)) {
    if (v.startsWith('-')) return forever
    const d = /\d$/.test(v) ? `${v}s` : v.replace(/(ns|us|µs)$/, 'ms')
    if (KEEP_ALIVE.test(d)) return d
  }
  throw new GatewayError('invalid', 'keep_alive must be a duration such as "5m", or seconds')
}

/** Ollama's options in the mesh's terms: sampling fields, then what goes on to the backend as it is. */
function options (v: unknown): Partial<TaskInput> {
  if (v == null) return {}
  const o = object(v, 'options')
  const out: Partial<TaskInput> = {}
  const num = (k: string, min: number, max: number): number | undefined => {
    const x = o[k]
    if (x == null) return undefined
    if (typeof x !== 'number' || !Number.isFinite(x) || x < min || x > max) throw new GatewayError('invalid', `options.${k} must be a number from ${min} to ${max}`)
    return x
  }
  const predict = num('num_predict', -2, 10_000_000)
  if (predict != null && predict > 0) out.maxTokens = Math.trunc(predict)
  const temperature = num('temperature', 0, 100)
  if (temperature != null) out.temperature = temperature
  const topP = num('top_p', 0, 1)
  if (topP != null) out.topP = topP
  const seed = num('seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)
  if (seed != null) out.seed = Math.trunc(seed)
  const stop = stops(o.stop, 'options.stop')
  if (stop != null) out.stop = stop
  const passed: BackendOptions = {}
  for (const [k, x] of Object.entries(o)) {
    // the options a peer may set (BACKEND_OPTIONS); the hardware ones a client sends (num_gpu, num_thread, ...) are left out here
    if (BACKEND_OPTIONS.has(k) && ((typeof x === 'number' && Number.isFinite(x)) || typeof x === 'boolean')) passed[k] = x
  }
  if (Object.keys(passed).length > 0) out.options = passed
  return out
}

function tools (v: unknown): Partial<TaskInput> {
  if (v == null) return {}
  const defs = array(v, 'tools', MAX_TOOLS).map((raw, i) => {
    const fn = object(object(raw, `tools[${i}]`).function, `tools[${i}].function`)
    return toolDef(fn.name, fn.description, fn.parameters, `tools[${i}].function`)
  })
  return defs.length > 0 ? { tools: defs } : {}
}

export function ollamaChat (b: Json, spec: string): { input: TaskInput, stream: boolean } {
  const messages = array(b.messages, 'messages', MAX_MESSAGES).map(ollamaMessage)
  const f = format(b.format)
  const k = keepAlive(b.keep_alive)
  return { stream: optBool(b.stream, 'stream') ?? true, input: { model: spec, messages, ...options(b.options), ...tools(b.tools), ...(f != null ? { format: f } : {}), ...(k != null ? { keepAlive: k } : {}) } }
}

/** /api/generate as a chat of a system prompt and one user message; `raw` prompts and `suffix` (fill-in-the-middle) are not supported. */
export function ollamaGenerate (b: Json, spec: string): { input: TaskInput, stream: boolean, load: boolean } {
  if (b.raw === true) throw new GatewayError('unsupported', 'raw prompts are not supported through the mesh: the serving model applies its own template (send the prompt without raw)')
  if (b.suffix != null && b.suffix !== '') throw new GatewayError('unsupported', 'suffix (fill-in-the-middle) is not supported through the mesh')
  const prompt = optString(b.prompt, 'prompt') ?? ''
  const system = optString(b.system, 'system')
  const imgs = images(b.images, 'images')
  const f = format(b.format)
  const k = keepAlive(b.keep_alive)
  const messages: ChatMessage[] = [...(system != null && system !== '' ? [{ role: 'system' as const, content: system }] : []), { role: 'user', content: prompt, ...(imgs.length > 0 ? { images: imgs } : {}) }]
  return { stream: optBool(b.stream, 'stream') ?? true, load: prompt === '' && imgs.length === 0, input: { model: spec, messages, ...options(b.options), ...(f != null ? { format: f } : {}), ...(k != null ? { keepAlive: k } : {}) } }
}

const now = (): string => new Date().toISOString()
const ns = (ms: number | null): number => Math.round((ms ?? 0) * 1e6)

/** The counts and durations (in nanoseconds) of a final chunk. */
function stats (o: TaskOutcome, usage: { input: number, output: number }): Json {
  return {
    done_reason: o.finishReason === 'length' ? 'length' : 'stop',
    total_duration: ns(o.totalMs),
    load_duration: 0,
    prompt_eval_count: usage.input,
    prompt_eval_duration: ns(o.firstTokenMs),
    eval_count: usage.output,
    eval_duration: ns(o.totalMs - (o.firstTokenMs ?? 0))
  }
}

const toolCallOut = (c: ToolCall): Json => ({ id: c.id, function: { name: c.name, arguments: argumentsValue(c.arguments) } })

export function ollamaChatResponse (o: TaskOutcome, usage: { input: number, output: number }, where: Where, generate: boolean): Json {
  const body: Json = generate
    ? { model: o.model, created_at: now(), response: o.text, done: true }
    : { model: o.model, created_at: now(), message: { role: 'assistant', content: o.text, ...(o.toolCalls.length > 0 ? { tool_calls: o.toolCalls.map(toolCallOut) } : {}) }, done: true }
  return { ...body, ...stats(o, usage), smesh: smeshField(where) }
}

/** NDJSON lines: text, tool calls, and the final line with done: true, counts and durations. */
export function ollamaWire (generate: boolean, usageOf: (o: TaskOutcome) => { input: number, output: number }): ChatWire {
  const line = (o: Json): string => JSON.stringify(o) + '\n'
  return {
    api: 'ollama',
    contentType: 'application/x-ndjson',
    text: (t, where) => line(generate ? { model: where.model, created_at: now(), response: t, done: false } : { model: where.model, created_at: now(), message: { role: 'assistant', content: t }, done: false }),
    toolCall: (c, _i, where) => generate ? '' : line({ model: where.model, created_at: now(), message: { role: 'assistant', content: '', tool_calls: [toolCallOut(c)] }, done: false }),
    end: (o, where) => line({ model: o.model, created_at: now(), ...(generate ? { response: '' } : { message: { role: 'assistant', content: '' } }), done: true, ...stats(o, usageOf(o)), smesh: smeshField(where) }),
    error: (e) => line({ error: e.message })
  }
}

/**
 * The answer to a generate with an empty prompt or a chat with no messages:
 * Ollama loads the model (or unloads it, with keep_alive 0); the mesh
 * loads models where they run, on first use. One JSON object, as Ollama
 * answers it whatever `stream` says.
 */
export function ollamaLoaded (model: string, generate: boolean, keepAlive: unknown): Json {
  const done_reason = keepAlive === 0 || keepAlive === '0' || keepAlive === '0s' ? 'unload' : 'load'
  return generate ? { model, created_at: now(), response: '', done: true, done_reason } : { model, created_at: now(), message: { role: 'assistant', content: '' }, done: true, done_reason }
}

const OLLAMA_CAPS: Record<string, string> = { completion: 'completion', tools: 'tools', vision: 'vision', embedding: 'embedding' }

function details (m: MeshModel): Json {
  return { parent_model: '', format: m.spec ? 'smesh' : 'gguf', family: m.family || 'unknown', families: [m.family || 'unknown'], parameter_size: '', quantization_level: m.quantization }
}

/** The name Ollama clients see: with a tag always (Open WebUI adds `:latest` to a bare name and looks for it). */
export function taggedName (name: string): string {
  return name.includes(':') ? name : `${name}:latest`
}

function tag (m: MeshModel): Json {
  const name = taggedName(m.name)
  return { name, model: name, modified_at: '2025-01-01T00:00:00Z', size: m.sizeBytes, digest: m.digest.replace(/^sha256:/, ''), details: details(m), smesh: { spec: m.spec, capabilities: m.capabilities, contextLength: m.contextLength, where: m.where } }
}

export function ollamaTags (models: MeshModel[]): Json {
  return { models: models.map(tag) }
}

/** Models in memory somewhere in the mesh. */
export function ollamaPs (models: MeshModel[]): Json {
  const until = new Date(Date.now() + 300_000).toISOString()
  return { models: models.filter(m => m.loaded && !m.spec).map(m => ({ ...tag(m), expires_at: until, size_vram: 0 })) }
}

export function ollamaShow (m: MeshModel): Json {
  const arch = m.family || 'unknown'
  return {
    modelfile: `# served by the smesh mesh${m.where.length > 0 ? ` (${m.where.map(w => w.device).join(', ')})` : ''}`,
    // clients read the context length from num_ctx here (Continue) and tool support from .Tools in the template (LiteLLM)
    parameters: m.contextLength > 0 ? `num_ctx                        ${m.contextLength}` : '',
    template: `{{- /* the serving model applies its own template */ -}}{{ .System }}{{ .Prompt }}${m.capabilities.includes('tools') ? '{{ if .Tools }}{{ .Tools }}{{ end }}' : ''}`,
    details: details(m),
    model_info: {
      'general.architecture': arch,
      ...(m.parameters > 0 ? { 'general.parameter_count': m.parameters } : {}),
      ...(m.contextLength > 0 ? { [`${arch}.context_length`]: m.contextLength } : {}),
      ...(m.embeddingLength > 0 ? { [`${arch}.embedding_length`]: m.embeddingLength } : {})
    },
    capabilities: m.capabilities.map(c => OLLAMA_CAPS[c]).filter((c): c is string => c != null),
    modified_at: '2025-01-01T00:00:00Z',
    smesh: { spec: m.spec, where: m.where }
  }
}
