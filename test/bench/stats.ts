/** Summary statistics over samples (ms or any unit), rounded to 0.1. */
export function summarize (samples: number[]): { n: number, median: number, p99: number, min: number, max: number, mean: number } {
  const s = [...samples].sort((a, b) => a - b)
  const at = (q: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN
  const r = (v: number): number => Math.round(v * 10) / 10
  const mid = s.length % 2 === 1 ? (s[(s.length - 1) / 2] ?? NaN) : ((s[s.length / 2 - 1] ?? NaN) + (s[s.length / 2] ?? NaN)) / 2
  return { n: s.length, median: r(mid), p99: r(at(0.99)), min: r(s[0] ?? NaN), max: r(s[s.length - 1] ?? NaN), mean: r(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)) }
}

/** Progress for people, on stderr; stdout carries only the JSON result. */
export function progress (msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`)
}

/** Latency-style percentiles (nearest rank, as `summarize`), rounded to 0.1. */
export function percentiles (samples: number[]): { n: number, p50: number, p90: number, p99: number, max: number, mean: number } {
  const s = [...samples].sort((a, b) => a - b)
  const at = (q: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN
  const r = (v: number): number => Math.round(v * 10) / 10
  return { n: s.length, p50: r(at(0.5)), p90: r(at(0.9)), p99: r(at(0.99)), max: r(s[s.length - 1] ?? NaN), mean: r(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)) }
}
