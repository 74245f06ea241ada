import { StoreDamagedError, StoreSchemaError } from '../errors.js'
import { decodeStored } from '../entry.js'
import { seqKey, sha256, toHex } from '../hex.js'
import { timestampKey } from '../hlc.js'
import type { BusEntry } from '../entry.js'
import type { BusStorage, Range, WriteOp } from './storage.js'

/** Version of the on-disk layout below; a store of another version is refused. */
export const SCHEMA_VERSION = 1

const enc = new TextEncoder()
const dec = new TextDecoder()
const EMPTY = new Uint8Array(0)

export interface HeadRecord {
  authorHex: string
  seq: bigint
  hashHex: string
}

export interface AuthorRecord {
  authorHex: string
  /** PeerId bound to the author's key by its first entry's binding. */
  peerId: string
  /** Hash of the author's first entry, which carries its public key. */
  firstHash: string
  /** Set once two validly signed entries with the same seq were seen. */
  forkedAt?: string
}

export interface ForkRecord {
  authorHex: string
  seq: bigint
  /** At least two different entry hashes; the chain's own first when this node has one at that seq. */
  hashes: string[]
}

/**
 * The bus's key layout on a BusStorage:
 *   entry   hash                     -> encoded entry
 *   chain   author/seq               -> hash (the chain this node follows)
 *   head    author                   -> {seq, hash}
 *   author  author                   -> {peerId, firstHash, forkedAt?}
 *   time    hlc/hash                 -> ''
 *   kind    kind/hlc/hash            -> ''
 *   fork    author/seq/hash          -> '' (the conflicting entry; it is in `entry` too)
 *   memory  key                      -> memory view record
 *   session id/hlc/hash              -> ''
 *   meta    schema, ownChainConfirmed, ...
 * (hashes and authors in lower-case hex, seq and hlc in fixed-width hex)
 */
export class BusStore {
  /** Told of every entry a read finds damaged (bytes that no longer hash to their key), before the read throws. */
  onDamaged?: (err: StoreDamagedError) => void

  constructor (readonly storage: BusStorage) {}

  /** The error for damage a read found, told to onDamaged first. */
  damaged (problem: string): StoreDamagedError {
    const err = new StoreDamagedError(this.storage.location, problem)
    this.onDamaged?.(err)
    return err
  }

  /** Opens the store; returns whether it was created now. Refuses a store of another schema. */
  async open (initialMeta: Record<string, string> = {}): Promise<{ created: boolean }> {
    await this.storage.open()
    const found = await this.getMeta('schema')
    if (found === undefined) {
      // a store with entries but no schema key was not written by smesh: refuse it as well
      const iter = this.storage.keys('entry', { limit: 1 })[Symbol.asyncIterator]()
      if ((await iter.next()).done !== true) {
        await this.storage.close()
        throw new StoreSchemaError(this.storage.location, 'none', SCHEMA_VERSION)
      }
      await this.storage.write([
        { type: 'put', section: 'meta', key: 'schema', value: enc.encode(String(SCHEMA_VERSION)) },
        ...Object.entries(initialMeta).map(([key, value]) => this.metaOp(key, value))
      ], { sync: true })
      return { created: true }
    }
    if (found !== String(SCHEMA_VERSION)) {
      await this.storage.close()
      throw new StoreSchemaError(this.storage.location, found, SCHEMA_VERSION)
    }
    return { created: false }
  }

  async close (): Promise<void> {
    await this.storage.close()
  }

  async getMeta (key: string): Promise<string | undefined> {
    const v = await this.storage.get('meta', key)
    return v === undefined ? undefined : dec.decode(v)
  }

  metaOp (key: string, value: string): WriteOp {
    return { type: 'put', section: 'meta', key, value: enc.encode(value) }
  }

  async write (ops: WriteOp[], sync: boolean): Promise<void> {
    await this.storage.write(ops, { sync })
  }

  async rawEntry (hashHex: string): Promise<Uint8Array | undefined> {
    return await this.storage.get('entry', hashHex)
  }

  /** The bytes stored under `hashHex`, checked against it (for bytes passed on as they are: fork proofs, bundles). */
  async checkedRaw (hashHex: string): Promise<Uint8Array | undefined> {
    const raw = await this.rawEntry(hashHex)
    if (raw !== undefined && toHex(sha256(raw)) !== hashHex) throw this.damaged(`entry ${hashHex.slice(0, 16)} no longer hashes to its key`)
    return raw
  }

  /** The entry stored under `hashHex`; bytes that no longer hash to it throw StoreDamagedError (and are never decoded). */
  async entry (hashHex: string): Promise<BusEntry | undefined> {
    const raw = await this.rawEntry(hashHex)
    if (raw === undefined) return undefined
    const e = decodeStored(raw, hashHex)
    if (e == null) throw this.damaged(`entry ${hashHex.slice(0, 16)} no longer hashes to its key`)
    return e
  }

  async hashAt (authorHex: string, seq: bigint): Promise<string | undefined> {
    const v = await this.storage.get('chain', `${authorHex}/${seqKey(seq)}`)
    return v === undefined ? undefined : dec.decode(v)
  }

  /**
   * Up to `limit` encoded entries of an author's chain, from `fromSeq` on,
   * consecutive, and no more than `maxBytes` of them (at least one entry).
   * Bytes that no longer hash to their key throw StoreDamagedError, unless
   * `checkHashes` is false (for a verifier that reports them itself).
   */
  async range (authorHex: string, fromSeq: bigint, limit: number, maxBytes = Infinity, checkHashes = true): Promise<Uint8Array[]> {
    const hashes: string[] = []
    for await (const [, v] of this.storage.entries('chain', { gte: `${authorHex}/${seqKey(fromSeq)}`, lt: `${authorHex}/~`, limit })) hashes.push(dec.decode(v))
    const out: Uint8Array[] = []
    let bytes = 0
    for (let i = 0; i < hashes.length; i += 32) {
      const slice = hashes.slice(i, i + 32)
      const raws = await this.storage.getMany('entry', slice)
      for (let j = 0; j < raws.length; j++) {
        const r = raws[j]
        // the chain index and the entries are written in one batch and never deleted: an entry it names and the store lacks is damage
        if (r === undefined && checkHashes) throw this.damaged(`entry ${slice[j]?.slice(0, 16)}, named by the chain of author ${authorHex.slice(0, 16)}, is missing`)
        if (r === undefined || (out.length > 0 && bytes + r.byteLength > maxBytes)) return out
        // what is sent to a peer or exported is what was stored: bytes damaged since are never passed on
        if (checkHashes && toHex(sha256(r)) !== slice[j]) throw this.damaged(`entry ${slice[j]?.slice(0, 16)} no longer hashes to its key`)
        out.push(r)
        bytes += r.byteLength
      }
    }
    return out
  }

  /**
   * An author's chain from seq 1 to `toSeq`, in batches of at most `size`
   * encoded entries; ends early where the store holds no more.
   */
  async * chain (authorHex: string, toSeq: bigint, size = 1024, checkHashes = true): AsyncGenerator<Uint8Array[]> {
    for (let from = 1n; from <= toSeq;) {
      const left = toSeq - from + 1n
      const raws = await this.range(authorHex, from, left > BigInt(size) ? size : Number(left), Infinity, checkHashes)
      if (raws.length === 0) return
      yield raws
      from += BigInt(raws.length)
    }
  }

  async heads (): Promise<HeadRecord[]> {
    const out: HeadRecord[] = []
    for await (const [k, v] of this.storage.entries('head')) {
      const h = JSON.parse(dec.decode(v)) as { seq: string, hash: string }
      out.push({ authorHex: k, seq: BigInt(h.seq), hashHex: h.hash })
    }
    return out
  }

  headOp (h: HeadRecord): WriteOp {
    return { type: 'put', section: 'head', key: h.authorHex, value: enc.encode(JSON.stringify({ seq: h.seq.toString(), hash: h.hashHex })) }
  }

  async authors (): Promise<AuthorRecord[]> {
    const out: AuthorRecord[] = []
    for await (const [k, v] of this.storage.entries('author')) out.push({ authorHex: k, ...JSON.parse(dec.decode(v)) })
    return out
  }

  authorOp (a: AuthorRecord): WriteOp {
    const { authorHex, ...rest } = a
    return { type: 'put', section: 'author', key: authorHex, value: enc.encode(JSON.stringify(rest)) }
  }

  /** The writes that store one entry on its author's chain, with its time and kind index keys. */
  entryOps (e: BusEntry): WriteOp[] {
    const ts = timestampKey(e.hlc)
    return [
      { type: 'put', section: 'entry', key: e.hashHex, value: e.bytes },
      { type: 'put', section: 'chain', key: `${e.authorHex}/${seqKey(e.seq)}`, value: enc.encode(e.hashHex) },
      { type: 'put', section: 'time', key: `${ts}/${e.hashHex}`, value: EMPTY },
      { type: 'put', section: 'kind', key: `${e.entry.kind}/${ts}/${e.hashHex}`, value: EMPTY }
    ]
  }

  /** Stores a conflicting entry as evidence: by hash and in the fork index, never on the chain. */
  evidenceOps (e: BusEntry): WriteOp[] {
    return [
      { type: 'put', section: 'entry', key: e.hashHex, value: e.bytes },
      { type: 'put', section: 'fork', key: `${e.authorHex}/${seqKey(e.seq)}/${e.hashHex}`, value: EMPTY }
    ]
  }

  /**
   * Every (author, seq) with two or more different entries this node holds:
   * the one on its chain, if any, first, then the evidence. An evidence entry
   * that later joined the chain (a proof came before the catch-up) counts once.
   */
  async forks (): Promise<ForkRecord[]> {
    const groups = new Map<string, ForkRecord>()
    for await (const k of this.storage.keys('fork')) {
      const [authorHex = '', seqHex = '0', hash = ''] = k.split('/')
      let g = groups.get(`${authorHex}/${seqHex}`)
      if (g == null) {
        const seq = BigInt('0x' + seqHex)
        const main = await this.hashAt(authorHex, seq)
        g = { authorHex, seq, hashes: main != null ? [main] : [] }
        groups.set(`${authorHex}/${seqHex}`, g)
      }
      if (!g.hashes.includes(hash)) g.hashes.push(hash)
    }
    return [...groups.values()].filter(g => g.hashes.length >= 2)
  }

  /** Hashes from the time index, newest first unless `reverse: false`. */
  async * timeIndex (range: Range): AsyncIterable<string> {
    for await (const k of this.storage.keys('time', range)) yield k.slice(k.indexOf('/') + 1)
  }

  async * kindIndex (kind: string, range: { after?: string, before?: string, reverse?: boolean, limit?: number }): AsyncIterable<string> {
    const gt = range.after != null ? `${kind}/${range.after}~` : `${kind}/`
    const lt = range.before != null ? `${kind}/${range.before}` : `${kind}/~`
    for await (const k of this.storage.keys('kind', { gt, lt, reverse: range.reverse, limit: range.limit })) yield k.slice(k.lastIndexOf('/') + 1)
  }

  async * sessionIndex (sessionId: string): AsyncIterable<string> {
    for await (const k of this.storage.keys('session', { gt: `${sessionId}/`, lt: `${sessionId}/~` })) yield k.slice(k.lastIndexOf('/') + 1)
  }

  async * sessionIds (): AsyncIterable<string> {
    for await (const k of this.storage.keys('kind', { gt: 'session.open/', lt: 'session.open/~' })) yield k.slice(k.lastIndexOf('/') + 1)
  }

  jsonOp (section: 'memory', key: string, value: unknown): WriteOp {
    return { type: 'put', section, key, value: enc.encode(JSON.stringify(value)) }
  }

  sessionOp (sessionId: string, e: BusEntry): WriteOp {
    return { type: 'put', section: 'session', key: `${sessionId}/${timestampKey(e.hlc)}/${e.hashHex}`, value: EMPTY }
  }

  /** Memory view records of keys with `prefix`, in key order; after `after` and at most `limit` when given. */
  async * memoryRecords (prefix: string, after?: string, limit?: number): AsyncIterable<[string, Uint8Array]> {
    // the keys with a prefix are contiguous in LevelDB's (UTF-8 byte) order: they end at the first key without it
    // (no upper bound such as prefix + U+10FFFF: a key may hold that character itself)
    const from = after !== undefined && after >= prefix ? { gt: after } : { gte: prefix }
    for await (const kv of this.storage.entries('memory', { ...from, limit })) {
      if (!kv[0].startsWith(prefix)) return
      yield kv
    }
  }
}
