import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { BUNDLE_MAGIC, BUNDLE_VERSION, BUS_BUNDLE_CONTEXT, BundleManifest, ForkProof, MAX_BUNDLE_MANIFEST_BYTES, MAX_ENTRY_BYTES, decodeBundleManifest, decodeForkProof } from '@smesh/protocols'
import { decodeBinding, pqFingerprintHex, verifyBinding } from '@smesh/identity'
import * as lp from 'it-length-prefixed'
import { pipe } from 'it-pipe'
import { createVerifier } from './crypto.js'
import { decodeEntry, verifyEntrySignature } from './entry.js'
import { equalBytes, fromHex, sha256, toHex } from './hex.js'
import { ChainVerifier } from './verify.js'
import type { Bus } from './bus.js'
import type { ChainFailure, ChainReport } from './verify.js'

const MANIFEST_CONTEXT = new TextEncoder().encode(BUS_BUNDLE_CONTEXT)
const MAX_RECORD_BYTES = Math.max(MAX_BUNDLE_MANIFEST_BYTES, 2 * MAX_ENTRY_BYTES + 64)
const EMPTY = new Uint8Array(0)

export interface ExportOptions {
  mesh: string
  /** Only these authors (hex); all by default. */
  authors?: string[]
  signal?: AbortSignal
  onProgress?: (done: number, total: number) => void
  now?: () => number
}

/** Entries and evidence counted before the export starts (the manifest needs them first). */
export interface ExportPlan {
  entries: number
  evidence: number
  bytes: AsyncGenerator<Uint8Array>
}

function manifestSignable (m: BundleManifest): Uint8Array {
  return BundleManifest.encode({ ...m, signature: EMPTY as Uint8Array<ArrayBuffer> })
}

/**
 * A portable bundle of the bus as it is when called: every chain from seq 1
 * to its current head, then fork evidence, behind a manifest signed by this
 * node. Anyone can check it offline with `verifyBundleFile`.
 */
export async function exportBundle (bus: Bus, options: ExportOptions): Promise<ExportPlan> {
  const heads = bus.heads().filter(h => options.authors == null || options.authors.includes(h.authorHex))
  const forks = (await bus.store.forks()).filter(f => heads.some(h => h.authorHex === f.authorHex))
  const total = heads.reduce((n, h) => n + Number(h.seq), 0)
  const proofs: Uint8Array[] = []
  for (const f of forks) {
    const [a, b] = await Promise.all(f.hashes.slice(0, 2).map(async h => await bus.store.rawEntry(h)))
    if (a != null && b != null) proofs.push(ForkProof.encode({ entryA: a as Uint8Array<ArrayBuffer>, entryB: b as Uint8Array<ArrayBuffer> }))
  }
  const manifest: BundleManifest = {
    version: BUNDLE_VERSION,
    mesh: options.mesh,
    createdAt: BigInt((options.now ?? Date.now)()),
    exporterBinding: bus.ownBinding as Uint8Array<ArrayBuffer>,
    heads: heads.map(h => ({ author: fromHex(h.authorHex) as Uint8Array<ArrayBuffer>, seq: h.seq, hash: fromHex(h.hashHex) as Uint8Array<ArrayBuffer> })),
    entryCount: BigInt(total),
    evidenceCount: BigInt(proofs.length),
    evidence: proofs.map(p => sha256(p) as Uint8Array<ArrayBuffer>),
    signature: EMPTY as Uint8Array<ArrayBuffer>
  }
  manifest.signature = await bus.signDetached(manifestSignable(manifest), MANIFEST_CONTEXT) as Uint8Array<ArrayBuffer>
  async function * bytes (): AsyncGenerator<Uint8Array> {
    yield BUNDLE_MAGIC
    yield lp.encode.single(BundleManifest.encode(manifest)).subarray()
    let done = 0
    for (const h of heads) {
      let held = 0n
      for await (const raws of bus.store.chain(h.authorHex, h.seq)) {
        options.signal?.throwIfAborted()
        for (const raw of raws) yield lp.encode.single(raw).subarray()
        held += BigInt(raws.length)
        done += raws.length
        options.onProgress?.(done, total)
      }
      if (held < h.seq) throw new Error(`the store lacks entry ${held + 1n} of author ${h.authorHex}`)
    }
    for (const p of proofs) yield lp.encode.single(p).subarray()
  }
  return { entries: total, evidence: proofs.length, bytes: bytes() }
}

export interface BundleReport {
  ok: boolean
  /** Every signature checked (default), or only each chain's first and last (`fast`). */
  all: boolean
  mesh: string
  createdAt: string
  exporter: { peerId: string, pqFingerprint: string }
  entries: number
  authors: ChainReport[]
  forks: Array<{ author: string, seq: string, hashes: string[] }>
  /** The first problem found; verification stops there. `index`: 0 = manifest, 1.. = records after it. */
  firstFailure: (ChainFailure & { author?: string }) | null
}

export interface VerifyBundleOptions {
  /** Check only each chain's first and last signature and every hash link. */
  fast?: boolean
  signal?: AbortSignal
  onProgress?: (done: number, total: number) => void
}

class Stop extends Error {
  constructor (readonly failure: ChainFailure & { author?: string }) { super(failure.message) }
}

/** Verifies a bundle file with no node and no network. Never throws for a bad bundle: the report says what is wrong. */
export async function verifyBundleFile (path: string, options: VerifyBundleOptions = {}): Promise<BundleReport> {
  const fh = await open(path, 'r')
  const magic = new Uint8Array(BUNDLE_MAGIC.byteLength)
  try {
    await fh.read(magic, 0, magic.byteLength, 0)
  } finally {
    await fh.close()
  }
  const report: BundleReport = { ok: false, all: options.fast !== true, mesh: '', createdAt: '', exporter: { peerId: '', pqFingerprint: '' }, entries: 0, authors: [], forks: [], firstFailure: null }
  if (!equalBytes(magic, BUNDLE_MAGIC)) {
    report.firstFailure = { seq: '', hash: '', reason: 'magic', message: 'not a smesh bundle (the file does not start with SMESHBN1)', index: 0 }
    return report
  }
  // it-length-prefixed ends without an error when the file stops right after a length prefix: catch that here
  let unread = false
  const records = pipe(createReadStream(path, { start: BUNDLE_MAGIC.byteLength, highWaterMark: 1 << 20 }), (src) => lp.decode(src, { maxDataLength: MAX_RECORD_BYTES, onLength: () => { unread = true }, onData: () => { unread = false } }))
  try {
    await verifyRecords(records, report, options)
    if (unread) report.firstFailure = { seq: '', hash: '', reason: 'trailing', message: 'the bundle has data after its last record' }
    report.ok = report.firstFailure == null
  } catch (err: any) {
    if (err instanceof Stop) report.firstFailure = err.failure
    else if (err.name === 'AbortError') throw err
    else report.firstFailure = { seq: '', hash: '', reason: /length|data/i.test(err.message) ? 'framing' : 'malformed', message: `the bundle is damaged: ${err.message as string}` }
  }
  return report
}

async function verifyRecords (records: AsyncIterable<{ subarray: () => Uint8Array }>, report: BundleReport, options: VerifyBundleOptions): Promise<void> {
  const it = records[Symbol.asyncIterator]()
  let index = 0
  const next = async (what: string): Promise<Uint8Array> => {
    const r = await it.next()
    if (r.done === true) throw new Stop({ seq: '', hash: '', reason: 'truncated', message: `the bundle ends early: ${what} is missing`, index })
    return r.value.subarray()
  }
  // manifest
  let m: BundleManifest
  try {
    const raw = await next('the manifest')
    m = decodeBundleManifest(raw)
    if (!equalBytes(BundleManifest.encode(m), raw)) throw new Error('the manifest is not in canonical encoding')
  } catch (err: any) {
    if (err instanceof Stop) throw err
    throw new Stop({ seq: '', hash: '', reason: 'manifest', message: `bad manifest: ${err.message as string}`, index: 0 })
  }
  if (m.version !== BUNDLE_VERSION) throw new Stop({ seq: '', hash: '', reason: 'version', message: `unknown bundle version ${m.version} (this smesh reads ${BUNDLE_VERSION})`, index: 0 })
  try {
    const binding = decodeBinding(m.exporterBinding)
    report.exporter = { peerId: (await verifyBinding(binding)).toString(), pqFingerprint: pqFingerprintHex(binding.pqPublicKey) }
    if (!createVerifier(binding.pqPublicKey).verify(manifestSignable(m), m.signature, MANIFEST_CONTEXT)) throw new Error('its signature does not verify')
  } catch (err: any) {
    throw new Stop({ seq: '', hash: '', reason: 'manifest', message: `the manifest is not validly signed by its exporter: ${err.message as string}`, index: 0 })
  }
  report.mesh = m.mesh
  report.createdAt = new Date(Number(m.createdAt)).toISOString()
  const total = Number(m.entryCount)
  const declared = m.heads.reduce((n, h) => n + h.seq, 0n)
  if (declared !== m.entryCount) throw new Stop({ seq: '', hash: '', reason: 'manifest', message: `the manifest's heads add up to ${declared} entries, not ${m.entryCount}`, index: 0 })
  if (BigInt(m.evidence.length) !== m.evidenceCount) throw new Stop({ seq: '', hash: '', reason: 'manifest', message: `the manifest lists ${m.evidence.length} fork proofs but counts ${m.evidenceCount}`, index: 0 })
  const authors = new Set(m.heads.map(h => toHex(h.author)))
  if (authors.size !== m.heads.length) throw new Stop({ seq: '', hash: '', reason: 'manifest', message: 'the manifest lists an author twice (two branches of one chain)', index: 0 })
  const v = new ChainVerifier(options.fast !== true)
  let done = 0
  for (const head of m.heads) {
    const author = toHex(head.author)
    v.begin(author)
    for (let seq = 1n; seq <= head.seq; seq++) {
      options.signal?.throwIfAborted()
      index++
      const raw = await next(`entry ${seq} of author ${author.slice(0, 16)}`)
      if (!await v.push(raw, index)) break
      done++
      if ((done & 1023) === 0) options.onProgress?.(done, total)
    }
    const r = v.end() as ChainReport
    report.authors.push(r)
    if (r.firstFailure != null) throw new Stop({ ...r.firstFailure, author })
    if (r.head !== toHex(head.hash)) throw new Stop({ seq: head.seq.toString(), hash: r.head, reason: 'head', message: `the last entry of author ${author.slice(0, 16)} is not the head the manifest names`, index, author })
  }
  options.onProgress?.(done, total)
  report.entries = done
  for (let i = 0n; i < m.evidenceCount; i++) {
    index++
    const raw = await next('a fork proof')
    try {
      if (!equalBytes(sha256(raw), m.evidence[Number(i)] ?? new Uint8Array(0))) throw new Error('it is not the proof the signed manifest lists')
      const p = decodeForkProof(raw)
      if (!equalBytes(ForkProof.encode(p), raw)) throw new Error('it is not in canonical encoding')
      const a = decodeEntry(p.entryA)
      const b = decodeEntry(p.entryB)
      const verifier = v.verifiers.get(a.authorHex)
      if (a.authorHex !== b.authorHex || a.seq !== b.seq || a.hashHex === b.hashHex) throw new Error('its entries are not two versions of one seq')
      if (verifier == null) throw new Error('its author has no chain in the bundle')
      if (!verifyEntrySignature(a, verifier) || !verifyEntrySignature(b, verifier)) throw new Error('a signature does not verify')
      const fork = { author: a.authorHex, seq: a.seq.toString(), hashes: [a.hashHex, b.hashHex] }
      report.forks.push(fork)
      report.authors.find(r => r.author === a.authorHex)?.forks.push({ seq: fork.seq, hashes: fork.hashes })
    } catch (err: any) {
      throw new Stop({ seq: '', hash: '', reason: 'evidence', message: `bad fork proof: ${err.message as string}`, index })
    }
  }
  const extra = await it.next()
  if (extra.done !== true) throw new Stop({ seq: '', hash: '', reason: 'trailing', message: 'the bundle has data after its last record', index: index + 1 })
}
