import { ProviderError } from './errors.js'
import type { ChatMessage, ChatRequest, ChatResult, Limits } from './types.js'

/** Refuses a prompt over the input limit and caps max tokens; returns the tokens to ask for. */
export function applyLimits (provider: string, req: ChatRequest, limits: Limits): number {
  const chars = req.messages.reduce((n, m) => n + m.content.length, 0)
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

/** A streamed reply as it arrives: its text (each piece passed on), model, finish reason, usage and timings. */
export class Reply {
  text = ''
  usage = { inputTokens: 0, outputTokens: 0 }
  private readonly watch = new Stopwatch()

  constructor (public model: string, public finishReason: string, private readonly onText?: (text: string) => void) {}

  add (piece: string): void {
    if (piece === '') return
    this.watch.text()
    this.text += piece
    this.onText?.(piece)
  }

  /** The result; throws if `signal` was aborted (some client libraries end a stream quietly then). */
  result (signal?: AbortSignal): ChatResult {
    signal?.throwIfAborted()
    return { text: this.text, model: this.model, finishReason: this.finishReason, usage: this.usage, firstTokenMs: this.watch.firstMs, totalMs: this.watch.totalMs }
  }
}

/** System messages joined, for the APIs that take the system prompt apart from the dialogue. */
export function systemPrompt (messages: ChatMessage[]): string {
  return messages.filter(m => m.role === 'system').map(m => m.content).join('\n\n')
}
