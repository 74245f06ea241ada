import { TaskFailedError } from '@smesh/tasks'

/** The three APIs the gateway speaks; each has its own error shape. */
export type Api = 'openai' | 'anthropic' | 'ollama'

/**
 * What went wrong, by kind; each kind has one HTTP status and one error type
 * per API. `residency` and `forbidden` are 403, `unsupported` (no model can
 * do what is asked) and `invalid` 400, `not-found` 404, `too-large` 413,
 * `rate-limit` 429, `overloaded` 503 (Anthropic 529), `upstream` 502 (a
 * provider failed), `timeout` 504.
 */
export type ErrorKind = 'invalid' | 'unauthorized' | 'forbidden' | 'residency' | 'not-found' | 'too-large' | 'rate-limit' | 'overloaded' | 'unsupported' | 'upstream' | 'timeout' | 'cancelled' | 'internal'

const STATUS: Record<ErrorKind, number> = {
  invalid: 400, unsupported: 400, unauthorized: 401, forbidden: 403, residency: 403, 'not-found': 404, 'too-large': 413,
  'rate-limit': 429, cancelled: 499, internal: 500, upstream: 502, overloaded: 503, timeout: 504
}

const OPENAI_TYPE: Record<ErrorKind, string> = {
  invalid: 'invalid_request_error', unsupported: 'invalid_request_error', unauthorized: 'invalid_request_error', forbidden: 'permission_error', residency: 'permission_error',
  'not-found': 'invalid_request_error', 'too-large': 'invalid_request_error', 'rate-limit': 'rate_limit_error', overloaded: 'server_error', upstream: 'server_error', timeout: 'server_error', cancelled: 'invalid_request_error', internal: 'server_error'
}

const ANTHROPIC_TYPE: Record<ErrorKind, string> = {
  invalid: 'invalid_request_error', unsupported: 'invalid_request_error', unauthorized: 'authentication_error', forbidden: 'permission_error', residency: 'permission_error',
  'not-found': 'not_found_error', 'too-large': 'request_too_large', 'rate-limit': 'rate_limit_error', overloaded: 'overloaded_error', upstream: 'api_error', timeout: 'timeout_error', cancelled: 'invalid_request_error', internal: 'api_error'
}

/** An error the gateway answers with, in the caller's API's shape. */
export class GatewayError extends Error {
  static override readonly name: string = 'GatewayError'
  override readonly name: string = 'GatewayError'
  constructor (readonly kind: ErrorKind, message: string, readonly options: { code?: string, retryAfterMs?: number, param?: string } = {}) {
    super(message)
  }

  get status (): number {
    return STATUS[this.kind]
  }

  /** The status this API uses (Anthropic says 529 for overloaded). */
  statusFor (api: Api): number {
    return api === 'anthropic' && this.kind === 'overloaded' ? 529 : this.status
  }

  /** The error body of `api`. */
  body (api: Api): unknown {
    if (api === 'ollama') return { error: this.message }
    if (api === 'anthropic') return { type: 'error', error: { type: ANTHROPIC_TYPE[this.kind], message: this.message } }
    return { error: { message: this.message, type: OPENAI_TYPE[this.kind], param: this.options.param ?? null, code: this.options.code ?? null } }
  }

  /** Headers that go with it: Retry-After for rate limits and overload. */
  headers (): Record<string, string> {
    const ms = this.options.retryAfterMs
    return ms != null && (this.kind === 'rate-limit' || this.kind === 'overloaded') ? { 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) } : {}
  }
}

/** A task error as the gateway answers it. */
const BY_CODE: Record<string, ErrorKind> = {
  residency: 'residency', 'not-allowed': 'forbidden', 'no-candidate': 'not-found', 'unknown-model': 'not-found', 'not-found': 'not-found',
  unsupported: 'unsupported', malformed: 'invalid', 'bad-request': 'invalid', 'too-large': 'invalid', 'rate-limit': 'rate-limit', busy: 'overloaded', overloaded: 'overloaded',
  deadline: 'timeout', timeout: 'timeout', aborted: 'cancelled', server: 'upstream', connection: 'upstream', protocol: 'upstream', auth: 'upstream'
}

/** Any error as a GatewayError: task errors by their code, the rest as internal (their message is not shown). */
export function toGatewayError (err: unknown): GatewayError {
  if (err instanceof GatewayError) return err
  if (err instanceof TaskFailedError) {
    // no candidate now, but one later (the circuit breakers reopen): 503 with Retry-After, not 404
    const kind = err.code === 'no-candidate' && err.retryAfterMs != null ? 'overloaded' : BY_CODE[err.code] ?? 'upstream'
    const hint = err.hint !== '' && !err.message.includes(err.hint) ? ` (${err.hint})` : ''
    return new GatewayError(kind, `${err.message}${hint}`, { code: err.code === 'no-candidate' || err.code === 'unknown-model' ? 'model_not_found' : err.code.replace(/-/g, '_'), ...(err.retryAfterMs != null ? { retryAfterMs: err.retryAfterMs } : {}) })
  }
  return new GatewayError('internal', 'the gateway failed to answer; see the node\'s log')
}
