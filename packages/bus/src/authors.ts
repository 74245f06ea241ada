import { createVerifier } from './crypto.js'
import type { Verifier } from './crypto.js'
import type { Timestamp } from './hlc.js'
import type { BusStore } from './store/store.js'

/** What the bus keeps in memory of each author whose chain it follows. */
export interface AuthorState {
  authorHex: string
  seq: bigint
  hashHex: string
  verifier: Verifier
  peerId: string
  firstHash: string
  forkedAt?: bigint
  /** The head's HLC time: the next entry's must be later. */
  hlc?: Timestamp
}

/**
 * Every author the store follows: its head, its key (from its first entry), its fork mark and its
 * head's time. Reads two entries an author, each hashed against its key as every read is.
 */
export async function loadAuthors (store: BusStore): Promise<Map<string, AuthorState>> {
  const heads = new Map((await store.heads()).map(h => [h.authorHex, h]))
  const out = new Map<string, AuthorState>()
  for (const a of await store.authors()) {
    const head = heads.get(a.authorHex)
    const first = await store.entry(a.firstHash)
    if (head === undefined || first === undefined) continue
    const last = await store.entry(head.hashHex)
    out.set(a.authorHex, {
      authorHex: a.authorHex,
      seq: head.seq,
      hashHex: head.hashHex,
      verifier: createVerifier(first.entry.publicKey),
      peerId: a.peerId,
      firstHash: a.firstHash,
      forkedAt: a.forkedAt != null ? BigInt(a.forkedAt) : undefined,
      hlc: last?.hlc
    })
  }
  return out
}
