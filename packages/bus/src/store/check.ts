import { decodeEntry } from '../entry.js'
import { StoreDamagedError, StoreOpenError } from '../errors.js'
import { sha256, toHex } from '../hex.js'
import { KINDS, parseBody } from '../kinds.js'
import type { MemoryRecord } from '../views.js'
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
  /** A memory view record did not match the entry it cites: the views must be derived again (they are, on open). */
  viewsStale: boolean
  ms: number
}

/**
 * Reads the whole store back before the node uses it: every chain from seq 1
 * to its head without a gap, each entry's bytes hashed against the key it is
 * stored under (bytes that still hash to it are the bytes whose signature,
 * link and seq were checked when they came in), each head against its
 * chain's end, every index record against the entries, every memory view
 * against the entry it cites. LevelDB checks no checksums on reads (classic-level does not ask it
 * to), so a flipped byte in a table file would otherwise reach the views and
 * the peers. Signatures were checked when the entries came in and are not
 * checked again here (`smesh bus verify --all` does). Throws
 * StoreDamagedError naming the first problem; reads nothing but the store.
 */
export async function checkStore (storage: BusStorage, signal?: AbortSignal): Promise<StoreCheckReport> {
  const started = performance.now()
  const damaged = (problem: string, cause?: unknown): StoreDamagedError => new StoreDamagedError(storage.location, problem, { cause })
  const heads = new Map<string, { seq: bigint, hash: string }>()
  let entries = 0
  let authors = 0
  let records = 0
  let viewsStale: boolean
  const known = new Set<string>()
  try {
    for await (const [author, v] of storage.entries('head')) {
      let h: { seq?: unknown, hash?: unknown }
      try { h = JSON.parse(dec.decode(v)) } catch (err) { throw damaged(`the head record of author ${author.slice(0, 16)} is not readable`, err) }
      if (typeof h.seq !== 'string' || !/^\d+$/.test(h.seq) || typeof h.hash !== 'string' || !HASH.test(h.hash)) throw damaged(`the head record of author ${author.slice(0, 16)} is malformed`)
      heads.set(author, { seq: BigInt(h.seq), hash: h.hash })
    }
    let author = ''
    let expect = 1n
    let prevHash = ''
    let batch: Array<{ seq: bigint, hash: string }> = []
    const endChain = (): void => {
      if (author === '') return
      const head = heads.get(author)
      if (head == null) throw damaged(`author ${author.slice(0, 16)} has a chain but no head record`)
      if (head.seq !== expect - 1n || head.hash !== prevHash) throw damaged(`the head of author ${author.slice(0, 16)} says seq ${head.seq}, its chain ends at seq ${expect - 1n}${head.seq === expect - 1n ? ' with another hash' : ''}`)
      heads.delete(author)
      authors++
    }
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return
      signal?.throwIfAborted()
      const raws = await storage.getMany('entry', batch.map(b => b.hash))
      for (let i = 0; i < batch.length; i++) {
        const { seq, hash } = batch[i] as { seq: bigint, hash: string }
        const raw = raws[i]
        const at = `entry ${seq} of author ${author.slice(0, 16)}`
        if (raw === undefined) throw damaged(`${at} (${hash.slice(0, 16)}) is missing`)
        // bytes that still hash to their key are the bytes that were checked (signature, link, seq) when they came in
        if (toHex(sha256(raw)) !== hash) throw damaged(`${at}: its bytes no longer hash to ${hash.slice(0, 16)}, the hash it is stored under`)
        prevHash = hash
        known.add(hash)
        entries++
      }
      batch = []
    }
    for await (const [k, v] of storage.entries('chain')) {
      const m = CHAIN_KEY.exec(k)
      const hash = dec.decode(v)
      if (m == null || !HASH.test(hash)) throw damaged(`the chain index holds a malformed record (${JSON.stringify(k.slice(0, 90))})`)
      const [, a = '', seqHex = '0'] = m
      if (a !== author) {
        await flush()
        endChain()
        author = a
        expect = 1n
        prevHash = ''
      }
      const seq = BigInt('0x' + seqHex)
      if (seq !== expect) throw damaged(`the chain of author ${author.slice(0, 16)} goes from seq ${expect - 1n} to ${seq}`)
      expect++
      batch.push({ seq, hash })
      if (batch.length >= BATCH) await flush()
    }
    await flush()
    endChain()
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
    // every index record cites an entry the store holds
    for (const section of ['time', 'kind', 'session'] as const) {
      for await (const k of storage.keys(section)) {
        signal?.throwIfAborted()
        if (!known.has(k.slice(k.lastIndexOf('/') + 1))) throw damaged(`the ${section} index holds a record of no entry (${JSON.stringify(k.slice(0, 100))})`)
        records++
      }
    }
    viewsStale = !await memoryViewsMatch(storage)
  } catch (err: any) {
    if (err instanceof StoreDamagedError || err?.name === 'AbortError' || signal?.aborted === true) throw err
    // LevelDB itself refused to read: a corrupt block, a table file gone, is damage; anything else (EMFILE, EIO) is not the store's fault
    const cause = err?.cause ?? err
    const message = String(cause?.message ?? cause)
    if (cause?.code === 'LEVEL_CORRUPTION' || err?.code === 'LEVEL_CORRUPTION' || /corrupt|checksum|bad magic|bad block|truncated|no such file|missing files/i.test(message)) throw damaged(message, err)
    throw new StoreOpenError(storage.location, { cause })
  }
  return { entries, authors, records, viewsStale, ms: Math.round(performance.now() - started) }
}

/** Whether every memory view record is what the entry it cites says (the views are derived: a mismatch is repaired by deriving them again). */
async function memoryViewsMatch (storage: BusStorage): Promise<boolean> {
  let batch: Array<[string, Uint8Array]> = []
  const check = async (): Promise<boolean> => {
    const raws = batch.length === 0 ? [] : await storage.getMany('entry', batch.map(([, v]) => citedHash(v)))
    const ok = batch.every(([key, v], i) => {
      const raw = raws[i]
      if (raw === undefined) return false
      try {
        const rec = JSON.parse(dec.decode(v)) as MemoryRecord
        const e = decodeEntry(raw)
        const body = parseBody(e.entry.kind, e.entry.body) as { key?: unknown, value?: unknown }
        return body.key === key && rec.author === e.authorHex && rec.ms === e.hlc.ms.toString() && rec.counter === e.hlc.counter &&
          rec.deleted === (e.entry.kind === KINDS.memoryDel) && JSON.stringify(rec.value) === JSON.stringify(rec.deleted ? null : body.value)
      } catch {
        return false
      }
    })
    batch = []
    return ok
  }
  for await (const kv of storage.entries('memory')) {
    batch.push(kv)
    if (batch.length >= BATCH && !await check()) return false
  }
  return await check()
}

function citedHash (v: Uint8Array): string {
  try {
    const h = (JSON.parse(dec.decode(v)) as { hash?: unknown }).hash
    return typeof h === 'string' && HASH.test(h) ? h : '0'.repeat(64)
  } catch {
    return '0'.repeat(64)
  }
}
