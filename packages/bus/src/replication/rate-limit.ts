/**
 * Token buckets by key (an author): `rate` tokens a second up to `burst`.
 * At most `maxKeys` buckets are kept; the one used longest ago goes first.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number, at: number }>()

  constructor (private readonly rate: number, private readonly burst: number, private readonly maxKeys = 4096, private readonly now: () => number = performance.now.bind(performance)) {}

  /** Takes one token for `key`; false when its bucket is empty. */
  take (key: string): boolean {
    const t = this.now()
    let b = this.buckets.get(key)
    if (b == null) {
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string)
      b = { tokens: this.burst, at: t }
    } else {
      this.buckets.delete(key)
      b.tokens = Math.min(this.burst, b.tokens + (t - b.at) * this.rate / 1000)
      b.at = t
    }
    this.buckets.set(key, b)
    if (b.tokens < 1) return false
    b.tokens -= 1
    return true
  }
}
