import { createVerifier } from './crypto.js'
import { decodeEntry, verifyEntrySignature, verifyEntrySignatureAsync, verifyFirstEntry } from './entry.js'
import { InvalidEntryError } from './errors.js'
import { toHex } from './hex.js'
import { compareTimestamps } from './hlc.js'
import type { Verifier } from './crypto.js'
import type { BusEntry } from './entry.js'

export interface ChainFailure {
  seq: string
  hash: string
  reason: string
  message: string
  /** Position of the entry in its source (bundle record index), when known. */
  index?: number
}

/** What verification found about one author's chain. */
export interface ChainReport {
  author: string
  peerId: string
  entries: number
  /** Entries whose own signature was checked (all of them with --all; else the head and the first). */
  signaturesChecked: number
  /** Entries covered: checked by signature, or by a hash link to a checked one. */
  verified: number
  head: string
  forks: Array<{ seq: string, hashes: string[] }>
  firstFailure: ChainFailure | null
}

interface Current {
  report: ChainReport
  expectSeq: bigint
  prevHash?: string
  verifier?: Verifier
  last?: BusEntry
  lastIndex?: number
  /** Signatures being checked, oldest first, each with the chain's state before its entry. */
  pending: Array<{ e: BusEntry, index?: number, ok: Promise<boolean>, entries: number, head: string }>
}

/**
 * Signatures checked at once with every signature on (--all): on the native
 * backend they run on libuv's thread pool (4 threads unless
 * UV_THREADPOOL_SIZE says more), while the event loop decodes and links the
 * entries after them.
 */
const SIGNATURES_IN_FLIGHT = 32

/**
 * Checks chains fed to it entry by entry, in seq order, one author at a
 * time: encoding, seq continuity, hash links, the first entry's key and
 * binding, and signatures (every one with `all`, else the last one of the
 * chain, which commits to the rest through the links). Stops checking a
 * chain at its first failure. With `all`, signatures are checked several
 * at a time, ahead of the entry being fed; the report is the same as one
 * checked in order (the first failure, and nothing counted after it).
 */
export class ChainVerifier {
  readonly reports: ChainReport[] = []
  /** Verifiers of the chains whose first entry checked out, by author. */
  readonly verifiers = new Map<string, Verifier>()
  private cur?: Current

  /** `onEntry` sees every entry that checked out, in order (with `all`, up to SIGNATURES_IN_FLIGHT - 1 entries before a bad signature behind them is found: the chain then fails). */
  constructor (private readonly all: boolean, private readonly onEntry?: (e: BusEntry) => void) {}

  /** Starts the next chain; the one before must have ended (await end()). */
  begin (authorHex: string, peerId = ''): void {
    if (this.cur != null) throw new Error('end() the chain before beginning another')
    this.cur = { report: { author: authorHex, peerId, entries: 0, signaturesChecked: 0, verified: 0, head: '', forks: [], firstFailure: null }, expectSeq: 1n, pending: [] }
  }

  /** Waits for the oldest signatures in flight, down to `keep`; false once one failed (the chain then fails there). */
  private async settle (c: Current, keep: number): Promise<boolean> {
    while (c.pending.length > keep) {
      const p = c.pending.shift()!
      if (await p.ok) {
        c.report.signaturesChecked++
        continue
      }
      // as if checked in order: the chain stops at this entry, nothing after it counts
      c.pending = []
      c.report.entries = p.entries
      c.report.head = p.head
      this.failed(p.e, 'signature', `entry ${p.e.seq} has a bad signature`, p.index)
      return false
    }
    return true
  }

  /** A failure found while feeding an entry; a bad signature of an earlier entry, still in flight, comes first. */
  private async fail (c: Current, raw: Uint8Array | BusEntry, reason: string, message: string, index?: number): Promise<false> {
    if (await this.settle(c, 0)) this.failed(raw, reason, message, index)
    return false
  }

  private failed (raw: Uint8Array | BusEntry, reason: string, message: string, index?: number): void {
    const c = this.cur
    if (c == null || c.report.firstFailure != null) return
    const e = raw instanceof Uint8Array ? undefined : raw
    c.report.firstFailure = { seq: (e?.seq ?? c.expectSeq).toString(), hash: e?.hashHex ?? '', reason, message, index }
  }

  /** Feeds the next entry of the current chain. Returns false once the chain has failed. */
  async push (raw: Uint8Array, index?: number): Promise<boolean> {
    const c = this.cur
    if (c == null) throw new Error('begin() a chain first')
    if (c.report.firstFailure != null) return false
    let e: BusEntry
    try {
      e = decodeEntry(raw)
    } catch (err: any) {
      return await this.fail(c, raw, err instanceof InvalidEntryError ? err.reason : 'malformed', err.message, index)
    }
    c.report.entries++
    if (e.authorHex !== c.report.author) return await this.fail(c, e, 'author', `entry ${e.hashHex.slice(0, 16)} belongs to author ${e.authorHex.slice(0, 16)}, not to this chain`, index)
    if (e.seq !== c.expectSeq) return await this.fail(c, e, 'seq', `expected seq ${c.expectSeq}, found ${e.seq}: an entry is missing or out of order`, index)
    if (e.seq === 1n) {
      try {
        const peerId = await verifyFirstEntry(e)
        // a label given to begin() ("self" for this node) stays; an unknown author gets the PeerId its binding names
        if (c.report.peerId === '') c.report.peerId = peerId
        c.verifier = createVerifier(e.entry.publicKey)
        this.verifiers.set(e.authorHex, c.verifier)
      } catch (err: any) {
        return await this.fail(c, e, err.reason ?? 'binding', err.message, index)
      }
    } else if (toHex(e.entry.prev) !== c.prevHash) {
      return await this.fail(c, e, 'link', `entry ${e.seq} does not link to entry ${e.seq - 1n}`, index)
    } else if (c.last != null && compareTimestamps(e.hlc, c.last.hlc) <= 0) {
      return await this.fail(c, e, 'hlc', `entry ${e.seq} is dated ${e.hlc.ms}.${e.hlc.counter}, not after entry ${e.seq - 1n} (${c.last.hlc.ms}.${c.last.hlc.counter}): an author's clock never goes back along its chain`, index)
    }
    if (e.seq === 1n) {
      if (!verifyEntrySignature(e, c.verifier as Verifier)) return await this.fail(c, e, 'signature', `entry ${e.seq} has a bad signature`, index)
      c.report.signaturesChecked++
    } else if (this.all) {
      c.pending.push({ e, index, ok: verifyEntrySignatureAsync(e, c.verifier as Verifier), entries: c.report.entries, head: c.report.head })
      if (!await this.settle(c, SIGNATURES_IN_FLIGHT - 1)) return false
    }
    c.prevHash = e.hashHex
    c.expectSeq = e.seq + 1n
    c.last = e
    c.lastIndex = index
    c.report.head = e.hashHex
    this.onEntry?.(e)
    return true
  }

  /** Records a fork found in the source. */
  addFork (seq: bigint, hashes: string[]): void {
    this.cur?.report.forks.push({ seq: seq.toString(), hashes })
  }

  /** Ends the current chain: waits for the signatures in flight, or checks the last one when not every one was checked. */
  async end (): Promise<ChainReport | undefined> {
    const c = this.cur
    if (c == null) return undefined
    await this.settle(c, 0)
    this.cur = undefined
    const r = c.report
    if (r.firstFailure == null && !this.all && c.last != null && c.last.seq !== 1n) {
      if (!verifyEntrySignature(c.last, c.verifier as Verifier)) {
        r.firstFailure = { seq: c.last.seq.toString(), hash: c.last.hashHex, reason: 'signature', message: `entry ${c.last.seq} (the chain's head) has a bad signature`, index: c.lastIndex }
      } else {
        r.signaturesChecked++
      }
    }
    // covered by a checked signature: every entry up to the last good one when each signature was checked;
    // with the shortcut, only the first entry when the chain failed before its head's signature could vouch for the rest
    r.verified = r.firstFailure == null
      ? r.entries
      : this.all ? Math.max(0, Number(BigInt(r.firstFailure.seq) - 1n)) : Math.min(r.signaturesChecked, 1)
    this.reports.push(r)
    return r
  }
}
