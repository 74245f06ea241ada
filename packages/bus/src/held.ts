import { MAX_PENDING_AGE_MS, MAX_PENDING_BYTES, MAX_PENDING_PER_AUTHOR, MAX_PENDING_TOTAL, MAX_PENDING_UNKNOWN_AUTHOR } from './constants.js'
import type { BusEntry } from './entry.js'

/** Different entries kept per seq of one author while they cannot be told apart. */
const MAX_CANDIDATES = 4

/**
 * Entries received beyond a gap, held until the gap is filled: by author and
 * seq, within the limits (per author, in all, in bytes, in age). Entries of a
 * known author come here with their signature checked; those of an unknown
 * one cannot be checked yet, so up to MAX_CANDIDATES different entries per
 * seq are kept and the one that verifies wins: a forged copy cannot keep out
 * the genuine one.
 */
export class HeldEntries {
  /** By author and seq; several candidates per seq. */
  private readonly byAuthor = new Map<string, Map<bigint, BusEntry[]>>()
  /** Every held entry and when it came, oldest first: for expiry and eviction. */
  private readonly since = new Map<BusEntry, number>()
  private bytes = 0

  constructor (private readonly now: () => number) {}

  /** Holds `e`; `known` says whether its author's key is known (and so its signature checked). */
  hold (e: BusEntry, known: boolean): void {
    const now = this.now()
    // expired first, then the oldest until the new one fits
    for (const [old, at] of this.since) {
      if (at >= now - MAX_PENDING_AGE_MS && this.bytes + e.bytes.byteLength <= MAX_PENDING_BYTES && this.since.size < MAX_PENDING_TOTAL) break
      this.drop(old)
    }
    let m = this.byAuthor.get(e.authorHex)
    if (m == null) {
      m = new Map()
      this.byAuthor.set(e.authorHex, m)
    }
    const list = m.get(e.seq) ?? []
    if (list.some(x => x.hashHex === e.hashHex) || list.length >= MAX_CANDIDATES || (!m.has(e.seq) && m.size >= (known ? MAX_PENDING_PER_AUTHOR : MAX_PENDING_UNKNOWN_AUTHOR))) {
      if (m.size === 0) this.byAuthor.delete(e.authorHex)
      return
    }
    list.push(e)
    m.set(e.seq, list)
    this.since.set(e, now)
    this.bytes += e.bytes.byteLength
  }

  /** Drops one held entry, if it is still held. */
  drop (e: BusEntry): void {
    if (!this.since.delete(e)) return
    this.bytes -= e.bytes.byteLength
    const m = this.byAuthor.get(e.authorHex)
    const list = m?.get(e.seq)
    if (m == null || list == null) return
    list.splice(list.indexOf(e), 1)
    if (list.length === 0) m.delete(e.seq)
    if (m.size === 0) this.byAuthor.delete(e.authorHex)
  }

  /** Drops what is held of `authorHex` up to `seq` (the chain got there another way). */
  dropUpTo (authorHex: string, seq: bigint): void {
    const m = this.byAuthor.get(authorHex)
    if (m == null) return
    for (const [s, list] of [...m]) {
      if (s <= seq) for (const e of [...list]) this.drop(e)
    }
  }

  /** Takes the candidates held for `seq` of `authorHex` out of the buffer. */
  take (authorHex: string, seq: bigint): BusEntry[] | undefined {
    const list = this.byAuthor.get(authorHex)?.get(seq)
    if (list == null) return undefined
    const candidates = [...list]
    for (const e of candidates) this.drop(e)
    return candidates
  }

  stats (): { entries: number, bytes: number } {
    return { entries: this.since.size, bytes: this.bytes }
  }
}
