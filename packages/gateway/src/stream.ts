import type { ServerResponse } from 'node:http'

/** Bytes a client may leave unread before its response is given up (a slow reader never holds the node's memory). */
export const MAX_UNREAD_BYTES = 8 * 1024 * 1024

export interface StreamInit {
  contentType: string
  /** What to send while nothing else is sent (an SSE comment, Anthropic's ping); none for NDJSON. */
  keepAlive?: () => string
  keepAliveMs?: number
  /** Headers sent at the latest this long after the request, keep-alives then follow. */
  headersAfterMs?: number
  /** The headers as late as possible: called when they go out. */
  headers: () => Record<string, string>
  /** What opens the stream, right after the headers whichever path sends them (Anthropic's message_start). */
  preamble?: () => string
  /** Called when the client goes away or stops reading. */
  onGone: () => void
}

/**
 * A streamed response: its headers go out with the first piece of content,
 * or a second after the request (keep-alives then follow), whichever comes
 * first, so that a failure before then (every candidate refusing or
 * cooling down) can still be an HTTP status with Retry-After. Keep-alives go out while
 * the stream is quiet (a long first token included). A client that stops
 * reading is given up once MAX_UNREAD_BYTES wait for it.
 */
export class ResponseStream {
  private readonly first: ReturnType<typeof setTimeout>
  private readonly timer: ReturnType<typeof setInterval>
  private lastWrite = Date.now()
  private ended = false

  constructor (private readonly res: ServerResponse, private readonly init: StreamInit) {
    const keepAliveMs = init.keepAliveMs ?? 5_000
    this.first = setTimeout(() => {
      this.start()
      this.beat()
    }, init.headersAfterMs ?? Math.min(keepAliveMs, 1_000))
    this.first.unref()
    this.timer = setInterval(() => {
      if (Date.now() - this.lastWrite >= keepAliveMs) this.beat()
    }, Math.max(250, Math.floor(keepAliveMs / 2)))
    this.timer.unref()
    res.once('close', () => {
      this.stopTimers()
      if (!this.ended) init.onGone()
    })
  }

  private stopTimers (): void {
    clearTimeout(this.first)
    clearInterval(this.timer)
  }

  /** The headers have gone out. */
  get started (): boolean {
    return this.res.headersSent
  }

  /** Sends the status line and headers, once. */
  start (): void {
    if (this.res.headersSent || this.res.destroyed) return
    this.res.writeHead(200, {
      'content-type': this.init.contentType,
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
      ...this.init.headers()
    })
    const preamble = this.init.preamble?.()
    if (preamble != null && preamble !== '') this.res.write(preamble)
    else this.res.flushHeaders()
    this.lastWrite = Date.now()
  }

  write (chunk: string): void {
    if (this.ended || this.res.destroyed) return
    this.start()
    this.lastWrite = Date.now()
    this.res.write(chunk)
    if (this.res.writableLength > MAX_UNREAD_BYTES) {
      this.res.destroy(new Error('the client stopped reading'))
    }
  }

  end (chunk?: string): void {
    if (this.ended) return
    if (chunk != null) this.write(chunk)
    this.ended = true
    this.stopTimers()
    this.start()
    this.res.end()
  }

  /** Answers with an HTTP error instead, if the headers have not gone out. */
  fail (status: number, headers: Record<string, string>, body: unknown): void {
    if (this.ended) return
    this.ended = true
    this.stopTimers()
    if (this.res.headersSent || this.res.destroyed) {
      this.res.end()
      return
    }
    const text = JSON.stringify(body)
    this.res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers })
    this.res.end(text)
  }

  private beat (): void {
    const k = this.init.keepAlive?.()
    if (k != null && this.started && !this.ended) {
      this.lastWrite = Date.now()
      this.res.write(k)
    }
  }
}
