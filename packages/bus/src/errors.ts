/**
 * Typed errors of @smesh/bus. Compare `err.name` across package boundaries.
 * Every error a user can meet carries a `hint`.
 */
abstract class BusError extends Error {
  abstract readonly hint: string
}

/** An entry that is not acceptable as it stands: malformed, oversize, badly signed or badly linked. */
export class InvalidEntryError extends BusError {
  static override readonly name = 'InvalidEntryError'
  override readonly name = 'InvalidEntryError'
  readonly hint: string
  /** A short machine-readable reason: `oversize`, `malformed`, `non-canonical`, `version`, `algorithm`, `author`, `key`, `binding`, `signature`, `link`, `seq`, `kind`, `body`. */
  constructor (readonly reason: InvalidReason, message: string, options?: ErrorOptions & { hint?: string }) {
    super(message, options)
    this.hint = options?.hint ?? 'the entry was refused and nothing was stored; if it came from a peer, that peer sent a damaged or forged entry'
  }
}

export type InvalidReason = 'oversize' | 'malformed' | 'non-canonical' | 'version' | 'algorithm' | 'author' | 'key' | 'binding' | 'signature' | 'link' | 'seq' | 'hlc' | 'kind' | 'body' | 'unknown-author' | AdmissionReason

/** Why an author may not write an entry: no lease, revoked past the entry's seq, an expired lease, a scope it lacks. */
export type AdmissionReason = 'not-member' | 'revoked' | 'expired' | 'scope' | 'policy' | 'awaiting'

export class StoreSchemaError extends BusError {
  static override readonly name = 'StoreSchemaError'
  override readonly name = 'StoreSchemaError'
  readonly exitCode = 78
  readonly hint: string
  constructor (readonly path: string, found: string, expected: number) {
    super(`the bus store at ${path} has schema version ${found}; this smesh understands ${expected}`)
    this.hint = 'run the smesh version that wrote it, or move the directory away to start with an empty store (peers will resend what they have); nothing was changed'
  }
}

export class StoreOpenError extends BusError {
  static override readonly name = 'StoreOpenError'
  override readonly name = 'StoreOpenError'
  readonly hint: string
  constructor (readonly path: string, options?: ErrorOptions) {
    super(`the bus store at ${path} cannot be opened: ${(options?.cause as Error | undefined)?.message ?? 'unknown error'}`, options)
    this.hint = 'check that no other process uses this data dir and that the disk is writable; nothing was changed'
  }
}

/** The disk that holds the bus store is full: nothing of this write was stored; what was stored before is intact. */
export class StorageFullError extends BusError {
  static override readonly name = 'StorageFullError'
  override readonly name = 'StorageFullError'
  readonly exitCode = 1
  readonly hint: string
  constructor (readonly path: string, options?: ErrorOptions) {
    super(`the disk that holds the bus store (${path}) is full: this write was not stored`, options)
    this.hint = 'free space on that disk: everything written before is intact, reads go on, and writes work again as soon as there is room'
  }
}

/** The node lost its store but not its key: it must learn its own chain from peers before signing again. */
export class ChainUnconfirmedError extends BusError {
  static override readonly name = 'ChainUnconfirmedError'
  override readonly name = 'ChainUnconfirmedError'
  readonly exitCode = 1
  readonly hint = 'this node\'s bus store is new but its key is not: it may have published entries it no longer holds. Start it where a peer that holds them is reachable (--peer or the LAN); if no other node ever received an entry from it, start it once with SMESH_BUS_NEW_CHAIN=1'
  constructor (waitedMs: number) {
    super(`the bus refuses to sign: no peer confirmed this node's own chain within ${Math.round(waitedMs / 1000)} s`)
  }
}

export class InvalidBodyError extends BusError {
  static override readonly name = 'InvalidBodyError'
  override readonly name = 'InvalidBodyError'
  readonly exitCode = 2
  constructor (message: string, readonly hint: string = 'see `smesh memory --help` for what keys and values may hold') {
    super(message)
  }
}

export class NotFoundError extends BusError {
  static override readonly name = 'NotFoundError'
  override readonly name = 'NotFoundError'
  readonly exitCode = 4
  constructor (message: string, readonly hint: string) {
    super(message)
  }
}

/** A bundle that fails verification. `index` is the record (0 = manifest, then entries in file order). */
export class BundleError extends BusError {
  static override readonly name = 'BundleError'
  override readonly name = 'BundleError'
  readonly exitCode = 1
  readonly hint = 'the bundle is damaged or was altered after export: do not trust its content; get a fresh export from a node'
  constructor (message: string, readonly index: number, readonly reason: string, options?: ErrorOptions) {
    super(message, options)
  }
}

export class BusStoppedError extends BusError {
  static override readonly name = 'BusStoppedError'
  override readonly name = 'BusStoppedError'
  readonly hint = 'the node is stopping; start it again and retry'
  constructor () {
    super('the bus is stopped')
  }
}

/**
 * This node's own entry was refused by its admission (the lease's scopes, a
 * revocation, the mesh policy): nothing was written. A refusal by lease or
 * policy means "not allowed" (HTTP 403, exit 6), not a malformed entry.
 */
export class AdmissionRefusedError extends Error {
  static override readonly name = 'AdmissionRefusedError'
  override readonly name = 'AdmissionRefusedError'
  readonly reason: string
  readonly hint = 'this device may not write that entry; nothing was written (see smesh mesh and smesh policy show)'
  readonly exitCode = 6
  constructor (refusal: { reason: string, message: string }) {
    super(refusal.message)
    this.reason = refusal.reason
  }
}

/** The bus store's files are damaged (a missing CURRENT, flipped bytes, an entry that no longer hashes to its key): the node does not start on it. */
export class StoreDamagedError extends BusError {
  static override readonly name = 'StoreDamagedError'
  override readonly name = 'StoreDamagedError'
  readonly exitCode = 74
  readonly hint = 'run `smesh bus repair` (with the node stopped): it moves the damaged store aside, and the next start relearns every entry from the peers, this node\'s own chain first, before it signs again; nothing is deleted'
  constructor (readonly path: string, readonly problem: string, options?: ErrorOptions) {
    super(`the bus store at ${path} is damaged: ${problem}`, options)
  }
}
