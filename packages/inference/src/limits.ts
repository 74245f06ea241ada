import { randomBytes } from 'node:crypto'
import { ProviderError } from './errors.js'
import type { ChatMessage, ChatRequest, ChatResult, FinishReason, Limits, ToolCall } from './types.js'

/** Characters a prompt counts: every message's content and tool-call arguments. */
export function promptChars (messages: ChatMessage[]): number {
  let n = 0
  for (const m of messages) {
    n += m.content.length
    for (const c of m.toolCalls ?? []) n += c.name.length + c.arguments.length
  }
  return n
}

/** Refuses a prompt over the input limit and caps max tokens; returns the tokens to ask for. */
export function applyLimits (provider: string, req: ChatRequest, limits: Limits): number {
  const chars = promptChars(req.messages)
  if (chars > limits.maxInputChars) throw new ProviderError('too-large', provider, `the prompt has ${chars} characters, over the limit of ${limits.maxInputChars}`)
  if (req.messages.length === 0) throw new ProviderError('bad-request', provider, 'a chat needs at least one message')
  return Math.min(req.maxTokens ?? limits.maxTokens, limits.maxTokens)
}

/** Times a streamed reply: first text, and the whole. */
export class Stopwatch {
  private readonly started = performance.now()
  first: number | null = null
  text (): void { this.first ??= performance.now() - this.started }
  get firstMs (): number | null { return this.first == null ? null : Math.round(this.first * 10) / 10 }
  get totalMs (): number { return Math.round((performance.now() - this.started) * 10) / 10 }
}

/** A streamed reply as it arrives: its text (each piece passed on), tool calls, model, finish reason, usage and timings. */
export class Reply {
  text = ''
  readonly toolCalls: ToolCall[] = []
  usage = { inputTokens: 0, outputTokens: 0 }
  stopSequence?: string
  private readonly watch = new Stopwatch()

  constructor (public model: string, public finishReason: FinishReason, private readonly onText?: (text: string) => void, private readonly onToolCall?: (call: ToolCall) => void) {}

  add (piece: string): void {
    if (piece === '') return
    this.watch.text()
    this.text += piece
    this.onText?.(piece)
  }

  /** A complete tool call; `arguments` is JSON text ('{}' when the model gave none). */
  call (name: string, args: string, id?: string): void {
    this.watch.text()
    const call = { id: id != null && id !== '' ? id : callId(), name, arguments: args.trim() === '' ? '{}' : args }
    this.toolCalls.push(call)
    this.onToolCall?.(call)
  }

  /** The result; throws if `signal` was aborted (some client libraries end a stream quietly then). */
  result (signal?: AbortSignal): ChatResult {
    signal?.throwIfAborted()
    const finishReason = this.toolCalls.length > 0 && this.finishReason === 'stop' ? 'tool_calls' : this.finishReason
    return {
      text: this.text,
      toolCalls: this.toolCalls,
      model: this.model,
      finishReason,
      ...(this.stopSequence != null ? { stopSequence: this.stopSequence } : {}),
      usage: this.usage,
      firstTokenMs: this.watch.firstMs,
      totalMs: this.watch.totalMs
    }
  }
}

/** A tool-call id for backends that give none (Ollama, Gemini). */
export function callId (): string {
  return `call_${randomBytes(12).toString('base64url')}`
}

/** A vendor's finish reason in the common terms. */
export function finishReasonOf (raw: string | null | undefined): FinishReason {
  switch ((raw ?? '').toLowerCase()) {
    case 'length': case 'max_tokens': case 'max_output_tokens': return 'length'
    case 'tool_calls': case 'tool_use': case 'function_call': return 'tool_calls'
    case 'content_filter': case 'safety': case 'recitation': case 'blocklist': case 'prohibited_content': case 'refusal': return 'content_filter'
    default: return 'stop'
  }
}

/** A tool call's arguments as an object, for the APIs that take one (Ollama, Anthropic, Gemini). */
export function argumentsObject (args: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(args)
    return v != null && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : { value: v }
  } catch {
    return {}
  }
}

/** System messages joined, for the APIs that take the system prompt apart from the dialogue. */
export function systemPrompt (messages: ChatMessage[]): string {
  return messages.filter(m => m.role === 'system').map(m => m.content).join('\n\n')
}

export function base64 (data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64')
}

/** The name of the tool each tool message answers, from the assistant's calls before it when the message does not say. */
export function toolNames (messages: ChatMessage[]): Map<ChatMessage, string> {
  const byId = new Map<string, string>()
  const out = new Map<ChatMessage, string>()
  for (const m of messages) {
    for (const c of m.toolCalls ?? []) byId.set(c.id, c.name)
    if (m.role === 'tool') out.set(m, m.name ?? byId.get(m.toolCallId ?? '') ?? 'tool')
  }
  return out
}
