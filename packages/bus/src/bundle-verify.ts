import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { BUNDLE_MAGIC, BUNDLE_VERSION, BundleManifest, MAX_BUNDLE_MANIFEST_BYTES, MAX_ENTRY_BYTES, decodeBundleManifest, decodeForkProof, ForkProof } from '@smesh/protocols'
import { decodeBinding, pqFingerprintHex, verifyBinding } from '@smesh/identity'
import * as lp from 'it-length-prefixed'
import { pipe } from 'it-pipe'
import { MANIFEST_CONTEXT, manifestSignable } from './bundle.js'
import { createVerifier } from './crypto.js'
import { decodeEntry, verifyEntrySignature } from './entry.js'
import { equalBytes, sha256, toHex } from './hex.js'
import { ChainVerifier } from './verify.js'
import type { AdmissionRefusal } from './bus-types.js'
import type { BusEntry } from './entry.js'
import type { ChainFailure, ChainReport } from './verify.js'

const MAX_RECORD_BYTES = Math.max(MAX_BUNDLE_MANIFEST_BYTES, 2 * MAX_ENTRY_BYTES + 64)

export type BundleFailure = ChainFailure & { author?: string }

/**
 * What a bundle is checked against beyond its own signatures: the mesh it
 * claims to be of, anchored at the root admin's key the verifier names. It
 * holds the mesh's rules (leases, revocations, the policy) as the bundle's
 * own membership and policy chains make them, and judges every entry and
 * the exporter by them. The membership package makes one.
 */
export interface BundleAnchor {
  /** The mesh id the verifier expects. */
  readonly mesh: string
  /** The root admin's author id (64 hex digits) the verifier trusts. */
  readonly root: string
  /** The exporter the verifier expects (author id), if any. */
  readonly exporter?: string
  /** Sees every entry whose chain checked out, in bundle order. */
  collect: (e: BusEntry) => void
  /** Once every chain checked out: builds the rules from what it collected; the first entry that may not make them, if any. */
  settle: (authors: Set<string>) => BundleFailure | undefined
  /** Why the exporter (author id) could not vouch for the bundle at `atMs`, or undefined; and how to name it. */
  vouches: (exporter: string, atMs: number) => { refusal?: string, label: string }
  /** May the entry's author have written it, by the rules of the mesh at the time? */
  check: (e: BusEntry) => AdmissionRefusal | undefined
  /** What the report says of the rules: counts, and admitted devices that have no chain in the bundle. */
  summary: (authors: Set<string>) => { leases: number, revocations: number, policies: number, absent: Array<{ device: string, name: string }> }
}

export interface BundleReport {
  ok: boolean
  /** Every signature checked (default), or only each chain's first and last (`fast`). */
  all: boolean
  mesh: string
  createdAt: string
  exporter: { peerId: string, pqFingerprint: string, label?: string }
  entries: number
  authors: ChainReport[]
  forks: Array<{ author: string, seq: string, hashes: string[] }>
  /** The first problem found; verification stops there. `index`: 0 = manifest, 1.. = records after it. */
  firstFailure: BundleFailure | null
  /** Checked against a mesh and a root key the verifier named (or its own mesh). */
  anchored: boolean
  anchor: { mesh: string, root: string, exporter?: string } | null
  /** Admitted devices whose chains the bundle does not hold (they never wrote, or the exporter left them out). */
  absent: Array<{ device: string, name: string }>
  /** What a valid bundle proves, and what no bundle can prove offline, in words. */
  proven: string[]
  unproven: string[]
}

export interface VerifyBundleOptions {
  /** Check only each chain's first and last signature and every hash link. */
  fast?: boolean
  anchor?: BundleAnchor
  signal?: AbortSignal
  onProgress?: (done: number, total: number) => void
}

class Stop extends Error {
  constructor (readonly failure: BundleFailure) { super(failure.message) }
}

const fail = (reason: string, message: string, index?: number, author?: string, seq = '', hash = ''): Stop => new Stop({ seq, hash, reason, message, ...(index != null ? { index } : {}), ...(author != null ? { author } : {}) })

/** The records after the magic; `state.unread` is true when the file stopped right after a length prefix. */
function recordsOf (path: string, state: { unread: boolean }): AsyncIterator<{ subarray: () => Uint8Array }> {
  // it-length-prefixed ends without an error when the file stops right after a length prefix: caught through state
  return pipe(createReadStream(path, { start: BUNDLE_MAGIC.byteLength, highWaterMark: 1 << 20 }), (src) => lp.decode(src, { maxDataLength: MAX_RECORD_BYTES, onLength: () => { state.unread = true }, onData: () => { state.unread = false } }))[Symbol.asyncIterator]()
}

/**
 * Verifies a bundle file with no node and no network. Never throws for a
 * bad bundle: the report says what is wrong, what was proven and what
 * cannot be. With an anchor, the bundle must be of that mesh, every entry
 * must meet the leases, revocations and policy its membership chains make
 * (from the root key the verifier trusts), and the exporter must have been
 * a member when it signed.
 */
export async function verifyBundleFile (path: string, options: VerifyBundleOptions = {}): Promise<BundleReport> {
  const fh = await open(path, 'r')
  const magic = new Uint8Array(BUNDLE_MAGIC.byteLength)
  try {
    await fh.read(magic, 0, magic.byteLength, 0)
  } finally {
    await fh.close()
  }
  const anchor = options.anchor
  const report: BundleReport = {
    ok: false, all: options.fast !== true, mesh: '', createdAt: '', exporter: { peerId: '', pqFingerprint: '' }, entries: 0, authors: [], forks: [], firstFailure: null,
    anchored: anchor != null, anchor: anchor != null ? { mesh: anchor.mesh, root: anchor.root, ...(anchor.exporter != null ? { exporter: anchor.exporter } : {}) } : null, absent: [], proven: [], unproven: []
  }
  if (!equalBytes(magic, BUNDLE_MAGIC)) {
    report.firstFailure = { seq: '', hash: '', reason: 'magic', message: 'not a smesh bundle (the file does not start with SMESHBN1)', index: 0 }
    return report
  }
  const state = { unread: false }
  try {
    const m = await verifyRecords(recordsOf(path, state), report, options)
    if (state.unread) throw fail('trailing', 'the bundle has data after its last record')
    if (anchor != null) await verifyAnchored(path, m, report, anchor, options)
    report.ok = true
  } catch (err: any) {
    if (err instanceof Stop) report.firstFailure = err.failure
    else if (err.name === 'AbortError') throw err
    else report.firstFailure = { seq: '', hash: '', reason: /length|data/i.test(err.message) ? 'framing' : 'malformed', message: `the bundle is damaged: ${err.message as string}` }
  }
  describe(report, anchor)
  return report
}

/** The manifest: canonical, version 1, every head of seq 1 or more, its exporter's binding valid and its signature too. */
async function readManifest (raw: Uint8Array, report: BundleReport): Promise<BundleManifest> {
  let m: BundleManifest
  try {
    m = decodeBundleManifest(raw)
    if (!equalBytes(BundleManifest.encode(m), raw)) throw new Error('the manifest is not in canonical encoding')
  } catch (err: any) {
    throw fail('manifest', `bad manifest: ${err.message as string}`, 0)
  }
  if (m.version !== BUNDLE_VERSION) throw fail('version', `unknown bundle version ${m.version} (this smesh reads ${BUNDLE_VERSION})`, 0)
  for (const h of m.heads) {
    if (h.author.byteLength !== 32 || h.hash.byteLength !== 32) throw fail('manifest', 'a head of the manifest is not a 32-byte author and a 32-byte hash', 0)
    if (h.seq < 1n) throw fail('manifest', `the manifest names a head of seq ${h.seq} for author ${toHex(h.author).slice(0, 16)}: a chain starts at seq 1, so a head names at least one entry`, 0)
  }
  try {
    const binding = decodeBinding(m.exporterBinding)
    report.exporter = { peerId: (await verifyBinding(binding)).toString(), pqFingerprint: pqFingerprintHex(binding.pqPublicKey) }
    if (!createVerifier(binding.pqPublicKey).verify(manifestSignable(m), m.signature, MANIFEST_CONTEXT)) throw new Error('its signature does not verify')
  } catch (err: any) {
    throw fail('manifest', `the manifest is not validly signed by its exporter: ${err.message as string}`, 0)
  }
  report.mesh = m.mesh
  report.createdAt = new Date(Number(m.createdAt)).toISOString()
  const declared = m.heads.reduce((n, h) => n + h.seq, 0n)
  if (declared !== m.entryCount) throw fail('manifest', `the manifest's heads add up to ${declared} entries, not ${m.entryCount}`, 0)
  if (BigInt(m.evidence.length) !== m.evidenceCount) throw fail('manifest', `the manifest lists ${m.evidence.length} fork proofs but counts ${m.evidenceCount}`, 0)
  if (new Set(m.heads.map(h => toHex(h.author))).size !== m.heads.length) throw fail('manifest', 'the manifest lists an author twice (two branches of one chain)', 0)
  return m
}

async function verifyRecords (it: AsyncIterator<{ subarray: () => Uint8Array }>, report: BundleReport, options: VerifyBundleOptions): Promise<BundleManifest> {
  let index = 0
  const next = async (what: string): Promise<Uint8Array> => {
    const r = await it.next()
    if (r.done === true) throw fail('truncated', `the bundle ends early: ${what} is missing`, index)
    return r.value.subarray()
  }
  const m = await readManifest(await next('the manifest'), report)
  const anchor = options.anchor
  if (anchor != null && m.mesh !== anchor.mesh) throw fail('mesh', `the bundle is of mesh ${JSON.stringify(m.mesh.slice(0, 64))}, not of the mesh ${anchor.mesh} it is checked against`, 0)
  const total = Number(m.entryCount)
  const v = new ChainVerifier(options.fast !== true, anchor != null ? (e) => { anchor.collect(e) } : undefined)
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
    const r = await v.end() as ChainReport
    report.authors.push(r)
    if (r.firstFailure != null) throw new Stop({ ...r.firstFailure, author })
    if (r.head !== toHex(head.hash)) throw fail('head', `the last entry of author ${author.slice(0, 16)} is not the head the manifest names`, index, author, head.seq.toString(), r.head)
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
      throw fail('evidence', `bad fork proof: ${err.message as string}`, index)
    }
  }
  const extra = await it.next()
  if (extra.done !== true) throw fail('trailing', 'the bundle has data after its last record', index + 1)
  return m
}

/** Second pass, with the mesh's rules the bundle's own chains make: the exporter, then every entry. */
async function verifyAnchored (path: string, m: BundleManifest, report: BundleReport, anchor: BundleAnchor, options: VerifyBundleOptions): Promise<void> {
  const authors = new Set(report.authors.map(a => a.author))
  const settled = anchor.settle(authors)
  if (settled != null) throw new Stop(settled)
  const exporter = report.exporter.pqFingerprint
  if (anchor.exporter != null && exporter !== anchor.exporter) throw fail('exporter', `the bundle was exported by ${exporter.slice(0, 16)}, not by the exporter ${anchor.exporter.slice(0, 16)} you named`, 0)
  const vouched = anchor.vouches(exporter, Number(m.createdAt))
  report.exporter.label = vouched.label
  if (vouched.refusal != null) throw fail('exporter', vouched.refusal, 0)
  const it = recordsOf(path, { unread: false })
  await it.next() // the manifest, checked already
  let index = 0
  for (let n = 0; n < report.entries; n++) {
    options.signal?.throwIfAborted()
    index++
    const r = await it.next()
    if (r.done === true) throw fail('truncated', 'the bundle changed while it was being read', index)
    const e = decodeEntry(r.value.subarray())
    const refusal = anchor.check(e)
    if (refusal != null) throw fail(refusal.reason, `entry ${e.seq} of author ${e.authorHex.slice(0, 16)}: ${refusal.message}`, index, e.authorHex, e.seq.toString(), e.hashHex)
  }
  report.absent = anchor.summary(authors).absent
}

/** The report in words: what a valid bundle proved, and what no bundle can prove offline. */
function describe (report: BundleReport, anchor?: BundleAnchor): void {
  if (!report.ok) return
  const chains = report.authors.length
  const checked = report.authors.reduce((n, a) => n + a.signaturesChecked, 0)
  report.proven.push(report.all
    ? `every one of the ${report.entries} entries of ${chains} authors is signed by its author's ML-DSA-65 key (${checked} signatures checked)`
    : `each of the ${chains} chains ends in a valid signature of its author, which commits to every entry before it through the hash links (${checked} signatures checked)`)
  report.proven.push('every chain is whole from seq 1 to the head named in the signed manifest, linked by hashes, its clock only going forward')
  if (report.forks.length > 0) report.proven.push(`${report.forks.length} author(s) signed two different entries at one seq (the proofs are in the bundle)`)
  if (!report.all) report.unproven.push('the signatures of the entries between each chain\'s first and last were not checked one by one (--fast); their hash links were')
  if (anchor == null) {
    report.proven.push(`the manifest is signed by the key of PeerId ${report.exporter.peerId}`)
    report.unproven.push('that the bundle is of your mesh: anyone can make a bundle that verifies like this one; name the trust anchor with --mesh ID --root KEY (smesh mesh shows both), or verify on a device of the mesh')
    return
  }
  const s = anchor.summary(new Set(report.authors.map(a => a.author)))
  report.proven.push(`the bundle is of mesh ${anchor.mesh}, whose root admin is the key you named (${anchor.root.slice(0, 16)})`)
  report.proven.push(`every author held a lease of the mesh when it wrote each entry, within its scopes and before any revocation of it (${s.leases} lease(s), ${s.revocations} revocation(s) in the bundle), and every entry meets the mesh policy in force when it was written (${s.policies} version(s))`)
  report.proven.push(`the exporter, ${report.exporter.label ?? report.exporter.pqFingerprint}, a member of the mesh then, signed these heads at ${report.createdAt}: this is the bus as that device held it`)
  report.unproven.push('that the exporter held no more than it put in: a member can sign an older or partial view; compare with a bundle from another device, or a live node')
  report.unproven.push(`entries written after ${report.createdAt}, or that had not reached the exporter`)
  if (report.absent.length > 0) report.unproven.push(`${report.absent.length} admitted device(s) have no chain in the bundle (${report.absent.slice(0, 5).map(a => a.name !== '' ? a.name : a.device.slice(0, 16)).join(', ')}): they wrote nothing, or the exporter left them out; offline, the two cannot be told apart`)
}
