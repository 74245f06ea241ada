import { ChainVerifier } from './verify.js'
import type { Bus } from './bus.js'
import type { ChainReport } from './verify.js'

export interface VerifyOptions {
  /** Check every signature, not only each chain's first and last. */
  all?: boolean
  signal?: AbortSignal
  onProgress?: (done: number, total: number) => void
}

export interface VerifyReport {
  /** Every chain checks out (forks, if any, are listed per author). */
  ok: boolean
  all: boolean
  entries: number
  authors: ChainReport[]
}

/** Re-verifies every chain the node holds, from its stored bytes. Forks found earlier are reported with their chains. */
export async function verifyStore (bus: Bus, options: VerifyOptions = {}): Promise<VerifyReport> {
  const heads = bus.heads()
  const total = heads.reduce((n, h) => n + Number(h.seq), 0)
  const forks = await bus.store.forks()
  const v = new ChainVerifier(options.all === true)
  let done = 0
  for (const h of heads) {
    v.begin(h.authorHex, bus.peerLabel(h.authorHex))
    // a chain is read only up to its first failure
    chain: for await (const raws of bus.store.chain(h.authorHex, h.seq, 1024, false)) {
      options.signal?.throwIfAborted()
      for (const raw of raws) {
        if (!await v.push(raw)) break chain
      }
      done += raws.length
      options.onProgress?.(done, total)
    }
    for (const f of forks.filter(f => f.authorHex === h.authorHex)) v.addFork(f.seq, f.hashes)
    const r = await v.end()
    if (r != null && r.firstFailure == null && BigInt(r.entries) !== h.seq) {
      r.firstFailure = { seq: (BigInt(r.entries) + 1n).toString(), hash: '', reason: 'missing', message: `the store holds ${r.entries} of ${h.seq} entries of this chain` }
    }
  }
  const authors = v.reports
  // ok: every chain checks out; forks are reported beside it (both branches are validly signed)
  return { ok: authors.every(a => a.firstFailure == null), all: options.all === true, entries: total, authors }
}
