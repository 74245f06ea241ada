/** Consecutive failures that open a candidate's circuit breaker. */
export const BREAKER_FAILURES = 3
/** How long an opened breaker keeps the candidate out; doubles with each reopening, up to BREAKER_MAX_MS. */
export const BREAKER_OPEN_MS = 30_000
export const BREAKER_MAX_MS = 5 * 60_000

interface Record {
  /** When the candidate's current run of successes began. */
  since?: number
  successes: number
  /** Failures since the last success. */
  failures: number
  /** Recent failures, decaying by half every 10 minutes. */
  penalty: number
  penaltyAt: number
  openUntil: number
  openMs: number
}

/**
 * How much the router trusts each (peer, provider): it grows with successes
 * and with time in service since failures stopped, and drops with each
 * failure. After BREAKER_FAILURES failures in a row the breaker opens: the
 * candidate is skipped until it closes, then gets one trial task (half-open).
 */
export class Reliability {
  private readonly records = new Map<string, Record>()

  constructor (private readonly now: () => number = Date.now) {}

  private get (key: string): Record {
    let r = this.records.get(key)
    if (r == null) {
      r = { successes: 0, failures: 0, penalty: 0, penaltyAt: this.now(), openUntil: 0, openMs: BREAKER_OPEN_MS }
      if (this.records.size > 10_000) this.records.delete(this.records.keys().next().value as string)
      this.records.set(key, r)
    }
    return r
  }

  success (key: string): void {
    const r = this.get(key)
    r.successes++
    r.failures = 0
    r.since ??= this.now()
    r.openMs = BREAKER_OPEN_MS
  }

  failure (key: string): void {
    const r = this.get(key)
    this.decay(r)
    r.failures++
    r.penalty++
    r.since = undefined
    if (r.failures >= BREAKER_FAILURES) {
      r.openUntil = this.now() + r.openMs
      r.openMs = Math.min(r.openMs * 2, BREAKER_MAX_MS)
      // half-open after this: one more failure reopens it at once
      r.failures = BREAKER_FAILURES - 1
    }
  }

  /** The breaker is open: skip the candidate. */
  open (key: string): boolean {
    return (this.records.get(key)?.openUntil ?? 0) > this.now()
  }

  /** 0..1: 0.5 for a stranger, towards 1 with successes and time in service, towards 0 with failures. */
  score (key: string): number {
    const r = this.records.get(key)
    if (r == null) return 0.5
    this.decay(r)
    const serviceMin = r.since == null ? 0 : (this.now() - r.since) / 60_000
    const trust = 1 - 0.5 * Math.exp(-(r.successes + serviceMin) / 10)
    return trust / (1 + r.penalty)
  }

  private decay (r: Record): void {
    const t = this.now()
    r.penalty *= Math.pow(0.5, (t - r.penaltyAt) / 600_000)
    r.penaltyAt = t
  }
}
