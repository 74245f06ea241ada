/**
 * A hybrid logical clock: wall-clock milliseconds plus a counter. Local
 * events never go backwards, even when the wall clock does, and a received
 * timestamp moves the clock forward, so an entry written after reading
 * another always sorts after it.
 */
export interface Timestamp {
  ms: bigint
  counter: number
}

/** A received timestamp further ahead of the local wall clock than this does not move the clock. */
export const DEFAULT_MAX_DRIFT_MS = 60_000
/** Largest counter: hlc_counter is a uint32 on the wire. */
const MAX_COUNTER = 0xffff_ffff

export class HybridClock {
  private last: Timestamp = { ms: 0n, counter: 0 }

  constructor (private readonly now: () => number = Date.now, private readonly maxDriftMs = DEFAULT_MAX_DRIFT_MS) {}

  /** A timestamp for a local event, later than every one seen. */
  tick (): Timestamp {
    const wall = BigInt(this.now())
    this.last = wall > this.last.ms
      ? { ms: wall, counter: 0 }
      : this.last.counter >= MAX_COUNTER ? { ms: this.last.ms + 1n, counter: 0 } : { ms: this.last.ms, counter: this.last.counter + 1 }
    return this.last
  }

  /**
   * Takes a timestamp seen in an entry into account; one too far in the future is not absorbed,
   * unless `own` (this node's own entry: its clock must not go back). Returns whether it was.
   */
  observe (ts: Timestamp, own = false): boolean {
    if (!own && ts.ms > BigInt(this.now() + this.maxDriftMs)) return false
    if (compareTimestamps(ts, this.last) > 0) this.last = { ms: ts.ms, counter: ts.counter }
    return true
  }
}

export function compareTimestamps (a: Timestamp, b: Timestamp): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1
  return a.counter - b.counter
}

/** Fixed-width hex of a timestamp: index keys sort in clock order. */
export function timestampKey (ts: Timestamp): string {
  return ts.ms.toString(16).padStart(12, '0') + ts.counter.toString(16).padStart(8, '0')
}
