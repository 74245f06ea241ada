import { BUNDLE_MAGIC, BUNDLE_VERSION, BUS_BUNDLE_CONTEXT, BundleManifest, ForkProof } from '@smesh/protocols'
import * as lp from 'it-length-prefixed'
import { fromHex, sha256 } from './hex.js'
import type { Bus } from './bus.js'

export const MANIFEST_CONTEXT = new TextEncoder().encode(BUS_BUNDLE_CONTEXT)
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

/** The bytes the exporter signs: the manifest's encoding without its signature. */
export function manifestSignable (m: BundleManifest): Uint8Array {
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
    const [a, b] = await Promise.all(f.hashes.slice(0, 2).map(async h => await bus.store.checkedRaw(h)))
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
