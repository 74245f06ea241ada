import { TASK_VERSION, TASK_VERSION_V1 } from '@smesh/protocols'
import { TaskFailedError } from './errors.js'
import { RESIDENCIES } from './spec.js'
import { BACKEND_OPTIONS, KEEP_ALIVE } from './backend-options.js'
import type { EmbedRunRequest, RunRequest, RunResult } from './executor.js'
import type { Residency } from './spec.js'
import type { BackendOptions, ChatMessage, OutputFormat, ToolChoice, ToolDef } from '@smesh/inference'
import type { TaskFrame, TaskRequest } from '@smesh/protocols'

/** A chat as sent to a serving peer: what its executor runs, with an id, a deadline and the approvals it holds. */
export interface TaskCall extends Omit<RunRequest, 'self'> {
  id: string
  deadline?: number
  /** policy.ask ids an admin approved for this task's actions (task.model, task.cloud). */
  approvals?: string[]
  /** The member device the submitting node routes the task for (a browser device). */
  onBehalfOf?: string
}

/** An embedding batch as sent to a serving peer. */
export interface EmbedCall extends Omit<EmbedRunRequest, 'self'> {
  id: string
  deadline?: number
  approvals?: string[]
  onBehalfOf?: string
}

export type AnyCall = ({ kind: 'chat' } & TaskCall) | ({ kind: 'embed' } & EmbedCall)

const ROLES_V1 = new Set(['system', 'user', 'assistant'])
const ROLES = new Set(['system', 'user', 'assistant', 'tool'])
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp'])
const TOOL_NAME = /^[A-Za-z0-9_.-]{1,64}$/
const MAX_STOP_CHARS = 200
const APPROVAL = /^[0-9a-f]{16,32}$/

const bad = (message: string): TaskFailedError => new TaskFailedError('malformed', message)

function toolChoiceText (c: ToolChoice | undefined): string {
  if (c == null) return ''
  return typeof c === 'object' ? `tool:${c.name}` : c
}

function jsonObject (text: string, what: string): Record<string, unknown> {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    throw bad(`${what} is not JSON`)
  }
  if (v == null || typeof v !== 'object' || Array.isArray(v)) throw bad(`${what} is not a JSON object`)
  return v as Record<string, unknown>
}

/** A chat message of the domain in wire form. */
function wireMessage (m: ChatMessage): TaskRequest['messages'][number] {
  return {
    role: m.role,
    content: m.content,
    images: (m.images ?? []).map(i => ({ mimeType: i.mimeType, data: i.data as Uint8Array<ArrayBuffer> })),
    toolCalls: (m.toolCalls ?? []).map(c => ({ id: c.id, name: c.name, arguments: c.arguments, continued: false })),
    toolCallId: m.toolCallId ?? '',
    name: m.name ?? ''
  }
}

/**
 * The request for a call. Version 1 (task protocol 1.0.0) carries a chat's
 * messages and sampling basics only: the caller makes sure nothing else is
 * needed (needs.ts), and what 1.0.0 cannot carry is left out.
 */
export function toWireRequest (call: AnyCall, version: number): TaskRequest {
  const base = {
    version,
    id: call.id,
    model: call.model,
    provider: call.provider,
    residency: call.residency,
    deadline: BigInt(call.deadline ?? 0),
    kind: '',
    tools: [],
    toolChoice: '',
    format: '',
    formatSchema: '',
    formatName: '',
    stop: [],
    topP: -1,
    options: '',
    keepAlive: '',
    inputs: [],
    messages: [],
    maxTokens: 0,
    temperature: -1,
    approvals: version === TASK_VERSION_V1 ? [] : call.approvals ?? [],
    onBehalfOf: version === TASK_VERSION_V1 ? '' : call.onBehalfOf ?? ''
  } satisfies TaskRequest
  if (call.kind === 'embed') return { ...base, kind: 'embed', inputs: call.inputs, keepAlive: call.keepAlive ?? '', ...(call.truncate === false ? { options: '{"truncate":false}' } : {}) }
  const messages = call.messages.map(wireMessage)
  const chat = { ...base, messages, maxTokens: call.maxTokens ?? 0, temperature: call.temperature ?? -1 }
  if (version === TASK_VERSION_V1) return { ...chat, messages: messages.map(m => ({ ...m, images: [], toolCalls: [], toolCallId: '', name: '' })) }
  return {
    ...chat,
    kind: 'chat',
    tools: (call.tools ?? []).map(t => ({ name: t.name, description: t.description ?? '', parameters: JSON.stringify(t.parameters) })),
    toolChoice: toolChoiceText(call.toolChoice),
    format: call.format?.type ?? '',
    formatSchema: call.format?.type === 'json_schema' ? JSON.stringify(call.format.schema) : '',
    formatName: call.format?.type === 'json_schema' ? call.format.name ?? '' : '',
    stop: call.stop ?? [],
    topP: call.topP ?? -1,
    ...(call.seed != null ? { seed: BigInt(Math.trunc(call.seed)) } : {}),
    options: call.options != null ? JSON.stringify(call.options) : '',
    keepAlive: call.keepAlive ?? ''
  }
}

function parseToolChoice (s: string): ToolChoice | undefined {
  if (s === '') return undefined
  if (s === 'auto' || s === 'none' || s === 'required') return s
  if (s.startsWith('tool:') && TOOL_NAME.test(s.slice(5))) return { name: s.slice(5) }
  throw bad(`unknown tool choice ${JSON.stringify(s.slice(0, 40))}`)
}

/**
 * Backend options from a peer: only those of BACKEND_OPTIONS, each a number
 * or a boolean. Options that set the serving device's hardware (GPUs,
 * threads, memory locking) are not taken from anyone but its owner.
 */
function parseOptions (s: string): BackendOptions | undefined {
  if (s === '') return undefined
  const o = jsonObject(s, 'the backend options')
  if (Object.keys(o).length > BACKEND_OPTIONS.size) throw bad(`over ${BACKEND_OPTIONS.size} backend options`)
  for (const [k, v] of Object.entries(o)) {
    if (!BACKEND_OPTIONS.has(k)) throw bad(`backend option ${JSON.stringify(k.slice(0, 40))} is not one a peer may set (${[...BACKEND_OPTIONS].join(', ')})`)
    if (!((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean')) throw bad(`backend option ${k} must be a number or true/false`)
  }
  return o as BackendOptions
}

function parseStops (stop: string[]): string[] | undefined {
  if (stop.length === 0) return undefined
  for (const s of stop) if (s === '' || s.length > MAX_STOP_CHARS) throw bad(`a stop sequence must have 1-${MAX_STOP_CHARS} characters`)
  return stop
}

function parseFormat (req: TaskRequest): OutputFormat | undefined {
  if (req.format === '') return undefined
  if (req.format === 'json') return { type: 'json' }
  if (req.format === 'json_schema') return { type: 'json_schema', schema: jsonObject(req.formatSchema, 'the output schema'), ...(req.formatName !== '' ? { name: req.formatName } : {}) }
  throw bad(`unknown output format ${JSON.stringify(req.format.slice(0, 40))}`)
}

function parseMessage (m: TaskRequest['messages'][number], v1: boolean): ChatMessage {
  if (!(v1 ? ROLES_V1 : ROLES).has(m.role)) throw bad(`a task needs messages with roles ${v1 ? 'system, user or assistant' : 'system, user, assistant or tool'}`)
  for (const i of m.images) if (!IMAGE_TYPES.has(i.mimeType) || i.data.byteLength === 0) throw bad('an image must be PNG, JPEG, GIF or WebP and not empty')
  for (const c of m.toolCalls) if (!TOOL_NAME.test(c.name) || c.continued) throw bad(`a tool call names no valid tool (${JSON.stringify(c.name.slice(0, 40))})`)
  return {
    role: m.role as ChatMessage['role'],
    content: m.content,
    ...(m.images.length > 0 ? { images: m.images.map(i => ({ mimeType: i.mimeType, data: i.data })) } : {}),
    ...(m.toolCalls.length > 0 ? { toolCalls: m.toolCalls.map(c => ({ id: c.id, name: c.name, arguments: c.arguments })) } : {}),
    ...(m.toolCallId !== '' ? { toolCallId: m.toolCallId } : {}),
    ...(m.name !== '' ? { name: m.name } : {})
  }
}

/** A request as the serving node reads it: checked field by field, nothing taken on trust. */
export function fromWireRequest (req: TaskRequest): AnyCall {
  const v1 = req.version === TASK_VERSION_V1
  if (!v1 && req.version !== TASK_VERSION) throw new TaskFailedError('protocol', `task request version ${req.version} is not understood (this node speaks ${TASK_VERSION_V1} and ${TASK_VERSION})`)
  if (!/^[0-9a-f]{32}$/.test(req.id)) throw bad('a task id is 32 hex digits')
  if (!(RESIDENCIES as readonly string[]).includes(req.residency)) throw bad(`unknown residency ${JSON.stringify(req.residency.slice(0, 20))}`)
  if (req.approvals.length > 16 || req.approvals.some(a => !APPROVAL.test(a))) throw bad('approvals are up to 16 policy.ask ids of 16-32 hex digits')
  if (req.onBehalfOf !== '' && !/^[0-9a-f]{64}$/.test(req.onBehalfOf)) throw bad('on_behalf_of is a bus author id, 64 hex digits')
  const common = { id: req.id, model: req.model, provider: req.provider, residency: req.residency as Residency, ...(req.deadline > 0n ? { deadline: Number(req.deadline) } : {}), ...(req.approvals.length > 0 ? { approvals: req.approvals } : {}), ...(req.onBehalfOf !== '' ? { onBehalfOf: req.onBehalfOf } : {}) }
  if (!v1 && req.kind === 'embed') {
    if (req.inputs.length === 0) throw bad('an embedding task needs at least one input')
    const truncate = req.options === '' ? undefined : jsonObject(req.options, 'the embedding options').truncate
    if (req.keepAlive !== '' && !KEEP_ALIVE.test(req.keepAlive)) throw bad(`keep_alive ${JSON.stringify(req.keepAlive.slice(0, 20))} is not a duration such as 5m or 30s`)
    return { kind: 'embed', ...common, inputs: req.inputs, ...(req.keepAlive !== '' ? { keepAlive: req.keepAlive } : {}), ...(typeof truncate === 'boolean' ? { truncate } : {}) }
  }
  if (!v1 && req.kind !== 'chat' && req.kind !== '') throw bad(`unknown task kind ${JSON.stringify(req.kind.slice(0, 20))}`)
  if (req.messages.length === 0) throw bad('a task needs at least one message')
  const messages = req.messages.map(m => parseMessage(m, v1))
  const call: TaskCall = { ...common, messages, ...(req.maxTokens > 0 ? { maxTokens: req.maxTokens } : {}), ...(req.temperature >= 0 ? { temperature: req.temperature } : {}) }
  if (v1) return { kind: 'chat', ...call }
  const tools: ToolDef[] = req.tools.map(t => {
    if (!TOOL_NAME.test(t.name)) throw bad(`a tool name must be 1-64 letters, digits, "_", "." or "-" (${JSON.stringify(t.name.slice(0, 40))})`)
    return { name: t.name, ...(t.description !== '' ? { description: t.description } : {}), parameters: jsonObject(t.parameters === '' ? '{"type":"object"}' : t.parameters, `the parameters of tool ${t.name}`) }
  })
  const toolChoice = parseToolChoice(req.toolChoice)
  const format = parseFormat(req)
  const options = parseOptions(req.options)
  const stop = parseStops(req.stop)
  if (req.topP > 1) throw bad('top_p is at most 1')
  if (req.keepAlive !== '' && !KEEP_ALIVE.test(req.keepAlive)) throw bad(`keep_alive ${JSON.stringify(req.keepAlive.slice(0, 20))} is not a duration such as 5m or 30s`)
  const seed = req.seed != null && req.seed >= BigInt(Number.MIN_SAFE_INTEGER) && req.seed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(req.seed) : undefined
  return {
    kind: 'chat',
    ...call,
    ...(tools.length > 0 ? { tools } : {}),
    ...(toolChoice != null ? { toolChoice } : {}),
    ...(format != null ? { format } : {}),
    ...(stop != null ? { stop } : {}),
    ...(req.topP >= 0 ? { topP: req.topP } : {}),
    ...(seed != null ? { seed } : {}),
    ...(options != null ? { options } : {}),
    ...(req.keepAlive !== '' ? { keepAlive: req.keepAlive } : {})
  }
}

/** What the serving node sends when a task is done. */
export function doneFrame (r: Omit<RunResult, 'toolCalls'> & { peer: string, receipt?: Uint8Array }): NonNullable<TaskFrame['done']> {
  return {
    peer: r.peer,
    provider: r.provider,
    model: r.model,
    digest: r.digest,
    tier: r.tier,
    finishReason: r.finishReason,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    firstTokenMs: r.firstTokenMs ?? -1,
    totalMs: r.totalMs,
    stopSequence: r.stopSequence ?? '',
    receipt: r.receipt != null ? new Uint8Array(r.receipt) : new Uint8Array(0)
  }
}
