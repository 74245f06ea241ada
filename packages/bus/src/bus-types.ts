// The bus's public types: its options, the admission hook, its events, what an ingest answers, and an author's row.
import type { Signer } from './crypto.js'
import type { BusEntry } from './entry.js'
import type { AdmissionReason, InvalidEntryError, StoreDamagedError } from './errors.js'
import type { StoreCheckReport } from './store/check.js'
import type { BusStorage } from './store/storage.js'
import type { HeadWitness } from './store/witness.js'

export interface BusInit {
  storage: BusStorage
  /** This node's ML-DSA-65 signer. */
  signer: Signer
  /** This node's encoded identity binding (goes into its first entry). */
  binding: Uint8Array
  /** Whether the identity was created by this start: then no earlier entry of it can exist. */
  identityCreated: boolean
  /** Start a new chain even though the store is new and the key is not (SMESH_BUS_NEW_CHAIN=1). */
  newChain?: boolean
  now?: () => number
  confirmTimeoutMs?: number
  /** Who may write what (the mesh's membership); without one, every validly signed entry is taken. */
  admission?: EntryAdmission
  /** This node's own head, kept outside the store: a store that lost acknowledged entries is noticed on open. */
  witness?: HeadWitness
  /** Check the ends of the chains on open (checkStoreEnds) and read the whole store back while running (StoreReadBack); default true. */
  checkOnOpen?: boolean
}

/** What the open found missing from a store whose files were cut (the node relearns it from peers). */
export interface StoreDamage {
  /** Own entries the witness saw acknowledged and the store no longer holds. */
  lostOwnEntries: number
  /** Peers have given them back (the node signs again). */
  relearned: boolean
  message: string
}

export interface AdmissionRefusal {
  reason: AdmissionReason | 'body'
  message: string
}

/**
 * Decides whether an entry's author may write it. Asked for every entry,
 * after its links and signature are checked and before it is stored; it
 * may change its answers as entries are added (`bus:entry` is dispatched
 * once a run of one author's entries is stored, before the next run is
 * checked).
 */
export interface EntryAdmission {
  check: (e: BusEntry) => AdmissionRefusal | undefined
  /** Sync order of authors, lowest first: chains whose entries decide admission come first. */
  rank?: (authorHex: string) => number
}

export interface ForkEvidence {
  authorHex: string
  seq: bigint
  /** The two encoded entries. */
  a: Uint8Array
  b: Uint8Array
}

export interface BusEvents {
  /** An entry was added to a chain (its own or a peer's). */
  'bus:entry': CustomEvent<{ entry: BusEntry, local: boolean }>
  /** An author was found to have signed two entries with one seq. */
  'bus:fork': CustomEvent<ForkEvidence>
  /** Entries are missing (a gap, an unknown author, a link to another branch): sync with `peer`. */
  'bus:need': CustomEvent<{ authorHex: string, peer?: string }>
  /** The read-back of the whole store found it intact (views found stale are being derived again). */
  'store:checked': CustomEvent<StoreCheckReport>
  /** A read found the store damaged while the node ran: the node should stop (as it would have refused to start). */
  'store:damaged': CustomEvent<StoreDamagedError>
}

export type IngestResult =
  | { result: 'accept', fork?: boolean }
  | { result: 'ignore', reason: 'duplicate' | 'gap' | 'unknown-author' | 'known-fork' | 'future' | 'not-member' | 'dropped' }
  | { result: 'reject', error: InvalidEntryError }

export interface AuthorView {
  author: string
  peerId: string
  seq: string
  head: string
  forked: boolean
  forkedAt: string | null
}
