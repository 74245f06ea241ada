/**
 * Typed errors of @smesh/inference. `kind` says what the router should do:
 * `rate-limit` and `overloaded` (cool down for `retryAfterMs`), `server` and
 * `connection` (try the next candidate), the rest (give up). Messages never
 * carry a credential: they are built here, not copied from the vendor.
 */
export type ProviderErrorKind = 'rate-limit' | 'overloaded' | 'server' | 'connection' | 'timeout' | 'auth' | 'not-found' | 'bad-request' | 'too-large' | 'aborted' | 'busy'

export class ProviderError extends Error {
  static override readonly name = 'ProviderError'
  override readonly name = 'ProviderError'
  readonly hint: string
  constructor (readonly kind: ProviderErrorKind, readonly provider: string, message: string, readonly retryAfterMs?: number, readonly status?: number) {
    super(`${provider}: ${message}`)
    this.hint = ({
      'rate-limit': `the provider asked to wait${retryAfterMs != null ? ` ${Math.ceil(retryAfterMs / 1000)} s` : ''}; other peers or tiers can serve meanwhile`,
      overloaded: 'the provider is overloaded; other peers or tiers can serve meanwhile',
      auth: 'check the API key of this provider in the node\'s config or environment',
      'not-found': 'list what this provider has with smesh models',
      'too-large': 'shorten the prompt or ask for fewer tokens',
      busy: 'every slot of this model is taken and its queue is full; other peers can serve meanwhile',
      connection: 'check that the provider is running and reachable at its configured URL'
    } as Partial<Record<ProviderErrorKind, string>>)[kind] ?? 'see the node\'s log'
  }

  /** Whether another candidate may be tried. */
  get retryable (): boolean {
    return ['rate-limit', 'overloaded', 'server', 'connection', 'timeout', 'busy'].includes(this.kind)
  }
}

/** Parses a Retry-After value (seconds or an HTTP date) into milliseconds. */
export function retryAfterMs (value: string | null | undefined, now = Date.now()): number | undefined {
  if (value == null || value === '' || value.length > 64) return undefined
  if (/^\d+(\.\d+)?$/.test(value.trim())) return clampRetryAfter(Number(value) * 1000)
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : clampRetryAfter(at - now)
}

/** The longest wait a provider may ask for; longer (or nonsensical) values are cut to it. */
export const MAX_RETRY_AFTER_MS = 3_600_000

export function clampRetryAfter (ms: number): number {
  return Number.isFinite(ms) ? Math.min(Math.max(0, Math.round(ms)), MAX_RETRY_AFTER_MS) : MAX_RETRY_AFTER_MS
}

/** Maps an HTTP status (and what came with it) to a ProviderError. */
export function httpError (provider: string, status: number, retryAfter?: number, detail = ''): ProviderError {
  const what = detail !== '' ? `: ${detail.slice(0, 200)}` : ''
  if (status === 429) return new ProviderError('rate-limit', provider, `rate limited (HTTP 429)${what}`, retryAfter, status)
  if (status === 529 || status === 503) return new ProviderError('overloaded', provider, `overloaded (HTTP ${status})${what}`, retryAfter, status)
  if (status === 401 || status === 403) return new ProviderError('auth', provider, `the credential was refused (HTTP ${status})`, undefined, status)
  if (status === 404) return new ProviderError('not-found', provider, `not found (HTTP 404)${what}`, undefined, status)
  if (status === 413) return new ProviderError('too-large', provider, 'the request is too large (HTTP 413)', undefined, status)
  if (status >= 500) return new ProviderError('server', provider, `server error (HTTP ${status})${what}`, retryAfter, status)
  return new ProviderError('bad-request', provider, `request refused (HTTP ${status})${what}`, undefined, status)
}

/** Whatever a client library threw for an aborted request, a dropped connection or a timeout. */
export function transportError (provider: string, err: any, signal?: AbortSignal): ProviderError {
  if (signal?.aborted === true || err?.name === 'AbortError' || /aborted/i.test(String(err?.name ?? ''))) return new ProviderError('aborted', provider, 'the request was cancelled')
  if (err?.name === 'TimeoutError' || /timed? ?out/i.test(String(err?.message ?? ''))) return new ProviderError('timeout', provider, 'the request timed out')
  return new ProviderError('connection', provider, `the connection failed or was cut (${String(err?.code ?? err?.cause?.code ?? err?.name ?? 'error')})`)
}
