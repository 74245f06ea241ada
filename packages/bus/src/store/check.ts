import { StoreDamagedError, StoreOpenError } from '../errors.js'
import { sha256, toHex } from '../hex.js'
import { checkRecords } from '../views.js'
import type { BusStorage } from './storage.js'

const dec = new TextDecoder()
const CHAIN_KEY = /^([0-9a-f]{64})\/([0-9a-f]{16})$/
const HASH = /^[0-9a-f]{64}$/
const BATCH = 256

export interface StoreCheckReport {
  /** Entries read, decoded and hashed. */
  entries: number
  authors: number
  /** Index and view records checked against the entries they cite. */
  records: number
  /** A memory view record did not match the entry it cites: the views must be derived again. */
  viewsStale: boolean
  ms: number
}

export interface StoreCheckOptions {
  signal?: AbortSignal
  /**
   * The store is in use while it is read (the node's read-back after it started): entries, heads
   * and index records may be written between two reads, so a chain may run past the head read
   * first, and an index record of an entry written since is looked up by itself.
   */
  live?: boolean
  /** Awaited after each batch of entries: a read-back in the background paces itself here. */
  pace?: () => Promise<void>
  /** Entries checked so far. */
  onProgress?: (entries: number) => void
  /** Entries read per batch (default 256). */
  batch?: number
}

/** The meta key a node sets when it found its store damaged while running: the next open refuses it at once. */
export const DAMAGED_META = 'damaged'

/**
 * What a node checks before it uses its store, in time that does not grow with the store: a
 * damage found earlier (meta `damaged`), each head record against the end of its chain and the
 * entry it names (bytes that still hash to their key), each author's first entry (its key). The
 * rest is read back by checkStore while the node runs (StoreReadBack); every entry read on any
 * path is hashed against its key as it is read, so nothing damaged is served meanwhile.
 */
export async function checkStoreEnds (storage: BusStorage): Promise<{ authors: number, ms: number }> {
  const started = performance.now()
  const damaged = (problem: string, cause?: unknown): StoreDamagedError => new StoreDamagedError(storage.location, problem, { cause })
  let authors = 0
  try {
    const marked = await storage.get('meta', DAMAGED_META)
    if (marked !== undefined) throw damaged(dec.decode(marked))
    const intact = async (hash: string, what: string): Promise<void> => {
      const raw = await storage.get('entry', hash)
      if (raw === undefined) throw damaged(`${what} (${hash.slice(0, 16)}) is missing`)
      if (toHex(sha256(raw)) !== hash) throw damaged(`${what}: its bytes no longer hash to ${hash.slice(0, 16)}, the hash it is stored under`)
    }
    for await (const [author, v] of storage.entries('head')) {
      const head = parseHead(author, v, damaged)
      let last: [string, Uint8Array] | undefined
      for await (const kv of storage.entries('chain', { gte: `${author}/`, lt: `${author}/~`, reverse: true, limit: 1 })) last = kv
      const m = last == null ? null : CHAIN_KEY.exec(last[0])
      if (last == null || m == null) throw damaged(`author ${author.slice(0, 16)} has a head record but no chain`)
      const seq = BigInt('0x' + (m[2] ?? '0'))
      if (seq !== head.seq || dec.decode(last[1]) !== head.hash) throw damaged(`the head of author ${author.slice(0, 16)} says seq ${head.seq}, its chain ends at seq ${seq}${seq === head.seq ? ' with another hash' : ''}`)
      await intact(head.hash, `entry ${head.seq} of author ${author.slice(0, 16)}`)
      authors++
    }
    for await (const [author, v] of storage.entries('author')) {
      let rec: { firstHash?: unknown }
      try { rec = JSON.parse(dec.decode(v)) } catch (err) { throw damaged(`the author record of ${author.slice(0, 16)} is not readable`, err) }
      if (typeof rec.firstHash !== 'string' || !HASH.test(rec.firstHash)) throw damaged(`the author record of ${author.slice(0, 16)} is malformed`)
      await intact(rec.firstHash, `the first entry of author ${author.slice(0, 16)}`)
    }
  } catch (err) {
    throw classify(storage, err)
  }
  return { authors, ms: Math.round(performance.now() - started) }
}

/**
 * Reads the whole store back: every chain from seq 1 to its head without a
 * gap, each entry's bytes hashed against the key it is stored under (bytes
 * that still hash to it are the bytes whose signature, link and seq were
 * checked when they came in), each head against its chain's end, every
 * index record against the entries, every memory view against the entry it
 * cites. LevelDB checks no checksums on reads (classic-level does not ask it
 * to), so a flipped byte in a table file would otherwise reach the views and
 * the peers. Signatures were checked when the entries came in and are not
 * checked again here (`smesh bus verify --all` does). Throws
 * StoreDamagedError naming the first problem; reads nothing but the store.
 * Memory: 8 bytes per entry (the entries seen, as 52-bit hash prefixes).
 */
export async function checkStore (storage: BusStorage, options: StoreCheckOptions = {}): Promise<StoreCheckReport> {
  const { signal, live = false, pace, onProgress, batch: batchSize = BATCH } = options
  const started = performance.now()
  const damaged = (problem: string, cause?: unknown): StoreDamagedError => new StoreDamagedError(storage.location, problem, { cause })
  const heads = new Map<string, { seq: bigint, hash: string }>()
  let entries = 0
  let authors = 0
  let records = 0
  let viewsStale: boolean
  const known = new HashPrefixes()
  try {
    for await (const [author, v] of storage.entries('head')) heads.set(author, parseHead(author, v, damaged))
    let author = ''
    let expect = 1n
    let prevHash = ''
    let atHead = ''
    let batch: Array<{ seq: bigint, hash: string }> = []
    const endChain = async (): Promise<void> => {
      if (author === '') return
      let head = heads.get(author)
      let late = false
      // a live store: an author first heard of after the heads were read has its head now (read after the chain was)
      if (head == null && live) {
        const v = await storage.get('head', author)
        if (v !== undefined) head = parseHead(author, v, damaged)
        late = true
      }
      if (head == null) throw damaged(`author ${author.slice(0, 16)} has a chain but no head record`)
      const end = expect - 1n
      // live, the chain may have grown past the head read first (the entry at that seq must be the one it named),
      // and a head read after the chain may be past the chain's end (its chain grew since; the rest is read next time)
      const matches = head.seq === end
        ? head.hash === prevHash
        : live && (head.seq < end ? atHead === head.hash : late)
      if (!matches) throw damaged(`the head of author ${author.slice(0, 16)} says seq ${head.seq}, its chain ends at seq ${end}${head.seq === end ? ' with another hash' : ''}`)
      heads.delete(author)
      authors++
    }
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return
      signal?.throwIfAborted()
      const raws = await storage.getMany('entry', batch.map(b => b.hash))
      const headSeq = heads.get(author)?.seq
      for (let i = 0; i < batch.length; i++) {
        const { seq, hash } = batch[i] as { seq: bigint, hash: string }
        const raw = raws[i]
        const at = `entry ${seq} of author ${author.slice(0, 16)}`
        if (raw === undefined) throw damaged(`${at} (${hash.slice(0, 16)}) is missing`)
        // bytes that still hash to their key are the bytes that were checked (signature, link, seq) when they came in
        if (toHex(sha256(raw)) !== hash) throw damaged(`${at}: its bytes no longer hash to ${hash.slice(0, 16)}, the hash it is stored under`)
        prevHash = hash
        if (seq === headSeq) atHead = hash
        known.add(hash)
        entries++
      }
      batch = []
      onProgress?.(entries)
      await pace?.()
    }
    for await (const [k, v] of storage.entries('chain')) {
      const m = CHAIN_KEY.exec(k)
      const hash = dec.decode(v)
      if (m == null || !HASH.test(hash)) throw damaged(`the chain index holds a malformed record (${JSON.stringify(k.slice(0, 90))})`)
      const [, a = '', seqHex = '0'] = m
      if (a !== author) {
        await flush()
        await endChain()
        author = a
        expect = 1n
        prevHash = ''
        atHead = ''
      }
      const seq = BigInt('0x' + seqHex)
      if (seq !== expect) throw damaged(`the chain of author ${author.slice(0, 16)} goes from seq ${expect - 1n} to ${seq}`)
      expect++
      batch.push({ seq, hash })
      if (batch.length >= batchSize) await flush()
    }
    await flush()
    await endChain()
    const orphan = [...heads.keys()][0]
    if (orphan !== undefined) throw damaged(`author ${orphan.slice(0, 16)} has a head record but no chain`)
    // a fork's second entry is stored beside the chain: it must be there and hash to its key
    for await (const k of storage.keys('fork')) {
      const hash = k.slice(k.lastIndexOf('/') + 1)
      const [raw] = await storage.getMany('entry', [hash])
      if (!HASH.test(hash) || raw === undefined || toHex(sha256(raw)) !== hash) throw damaged(`the fork record ${JSON.stringify(k.slice(0, 100))} cites no intact entry`)
      known.add(hash)
      records++
    }
    known.seal()
    // every index record cites an entry the store holds
    for (const section of ['time', 'kind', 'session'] as const) {
      let n = 0
      for await (const k of storage.keys(section)) {
        const hash = k.slice(k.lastIndexOf('/') + 1)
        if (!known.has(hash)) {
          // live: an entry stored since its chain was read is looked up by itself
          const raw = live && HASH.test(hash) ? await storage.get('entry', hash) : undefined
          if (raw === undefined || toHex(sha256(raw)) !== hash) throw damaged(`the ${section} index holds a record of no entry (${JSON.stringify(k.slice(0, 100))})`)
        }
        records++
        if (++n % (BATCH * 16) === 0) {
          signal?.throwIfAborted()
          await pace?.()
        }
      }
    }
    viewsStale = !await memoryViewsMatch(storage, pace, signal)
  } catch (err) {
    throw classify(storage, err, signal)
  }
  return { entries, authors, records, viewsStale, ms: Math.round(performance.now() - started) }
}

function parseHead (author: string, v: Uint8Array, damaged: (problem: string, cause?: unknown) => StoreDamagedError): { seq: bigint, hash: string } {
  let h: { seq?: unknown, hash?: unknown }
  try { h = JSON.parse(dec.decode(v)) } catch (err) { throw damaged(`the head record of author ${author.slice(0, 16)} is not readable`, err) }
  if (typeof h.seq !== 'string' || !/^\d+$/.test(h.seq) || typeof h.hash !== 'string' || !HASH.test(h.hash)) throw damaged(`the head record of author ${author.slice(0, 16)} is malformed`)
  return { seq: BigInt(h.seq), hash: h.hash }
}

/** What a failed read means: damage (LevelDB refused a block, a file is gone) or not the store's fault (EMFILE, EIO). */
function classify (storage: BusStorage, err: any, signal?: AbortSignal): Error {
  if (err instanceof StoreDamagedError || err?.name === 'AbortError' || signal?.aborted === true) return err
  const cause = err?.cause ?? err
  const message = String(cause?.message ?? cause)
  if (cause?.code === 'LEVEL_CORRUPTION' || err?.code === 'LEVEL_CORRUPTION' || /corrupt|checksum|bad magic|bad block|truncated|no such file|missing files/i.test(message)) return new StoreDamagedError(storage.location, message, { cause: err })
  return new StoreOpenError(storage.location, { cause })
}

/**
 * The entries seen, as the first 52 bits of their hashes (8 bytes each, not a string each: a million
 * entries take 8 MB). An index record of no entry passes only if its hash shares those 52 bits with
 * one of the store's: about 2 in 10^10 for a store of a million entries.
 */
class HashPrefixes {
  private values = new Float64Array(1024)
  private size = 0
  private sealed = false

  add (hashHex: string): void {
    if (this.size === this.values.length) {
      const grown = new Float64Array(this.values.length * 2)
      grown.set(this.values)
      this.values = grown
    }
    this.values[this.size++] = parseInt(hashHex.slice(0, 13), 16)
  }

  seal (): void {
    this.values = this.values.slice(0, this.size).sort()
    this.sealed = true
  }

  has (hashHex: string): boolean {
    if (!this.sealed) this.seal()
    const v = parseInt(hashHex.slice(0, 13), 16)
    let lo = 0
    let hi = this.size - 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const m = this.values[mid] as number
      if (m === v) return true
      if (m < v) lo = mid + 1
      else hi = mid - 1
    }
    return false
  }
}

/** Whether every memory view record is what the entry it cites says (the views are derived: a mismatch is repaired by deriving them again). */
async function memoryViewsMatch (storage: BusStorage, pace?: () => Promise<void>, signal?: AbortSignal): Promise<boolean> {
  let batch: Array<[string, Uint8Array]> = []
  const check = async (): Promise<boolean> => {
    signal?.throwIfAborted()
    const { match } = await checkRecords(storage, batch)
    batch = []
    await pace?.()
    return match
  }
  for await (const kv of storage.entries('memory')) {
    batch.push(kv)
    if (batch.length >= BATCH && !await check()) return false
  }
  return await check()
}
