/**
 * Typed errors of @smesh/membership. Compare `err.name` across package
 * boundaries. Every error a user can meet carries a `hint`.
 */
abstract class MembershipError extends Error {
  abstract readonly hint: string
  readonly exitCode: number = 1
}

/** The data dir belongs to no mesh yet. */
export class NoMeshError extends MembershipError {
  static override readonly name = 'NoMeshError'
  override readonly name = 'NoMeshError'
  override readonly exitCode = 78
  readonly hint: string
  constructor (readonly dataDir: string) {
    super(`the data dir ${dataDir} belongs to no mesh yet`)
    this.hint = `create a mesh with: smesh init --data-dir ${dataDir}   or join one with a token from an admin device (smesh invite): smesh join TOKEN --data-dir ${dataDir}`
  }
}

export class MeshExistsError extends MembershipError {
  static override readonly name = 'MeshExistsError'
  override readonly name = 'MeshExistsError'
  readonly hint: string
  constructor (readonly dataDir: string, mesh: string) {
    super(`the data dir ${dataDir} already belongs to mesh ${mesh}`)
    this.hint = 'nothing was changed; use another --data-dir for another mesh'
  }
}

export class MeshFileError extends MembershipError {
  static override readonly name = 'MeshFileError'
  override readonly name = 'MeshFileError'
  override readonly exitCode = 78
  constructor (message: string, readonly hint: string = 'restore the file from a backup, or join the mesh again into a new data dir', options?: ErrorOptions) {
    super(message, options)
  }
}

export type TokenProblem = 'format' | 'checksum' | 'version' | 'fields' | 'expired'

/** A join token that cannot be used as it stands. */
export class InvalidTokenError extends MembershipError {
  static override readonly name = 'InvalidTokenError'
  override readonly name = 'InvalidTokenError'
  override readonly exitCode = 2
  readonly hint: string
  constructor (readonly problem: TokenProblem, message: string, hint?: string) {
    super(message)
    this.hint = hint ?? 'copy the whole token again from the inviting device, or ask for a new one with smesh invite; nothing was changed'
  }
}

export type JoinRefusal = 'unknown-invite' | 'used' | 'expired' | 'revoked' | 'wrong-mesh' | 'bad-binding' | 'not-admin' | 'busy' | 'unreachable' | 'protocol'

/** The inviting node refused the join, or could not be reached. */
export class JoinFailedError extends MembershipError {
  static override readonly name = 'JoinFailedError'
  override readonly name = 'JoinFailedError'
  readonly hint: string
  constructor (readonly code: JoinRefusal, message: string, hint?: string, options?: ErrorOptions) {
    super(message, options)
    this.hint = hint ?? ({
      'unknown-invite': 'the inviting device does not know this token: ask for a new one with smesh invite; nothing was changed',
      used: 'an invite works once: ask for a new one with smesh invite; nothing was changed',
      expired: 'ask for a new token with smesh invite (--ttl sets how long it works); nothing was changed',
      revoked: 'this device was revoked from the mesh; a revoked device cannot rejoin with the same identity: use a new --data-dir',
      unreachable: 'check that the inviting node is running and reachable at one of the token\'s addresses (same LAN, or a forwarded port); nothing was changed'
    } as Partial<Record<JoinRefusal, string>>)[code] ?? 'nothing was changed; ask the admin of the mesh for a new token'
  }
}

/** This device's lease does not allow the action. */
export class NotAuthorizedError extends MembershipError {
  static override readonly name = 'NotAuthorizedError'
  override readonly name = 'NotAuthorizedError'
  override readonly exitCode = 6
  readonly hint: string
  constructor (message: string, hint?: string) {
    super(message)
    this.hint = hint ?? 'ask an admin of the mesh to grant the scope (smesh invite --scopes ... for a new device); nothing was written'
  }
}

/** The governance gate blocked the action (and recorded it on the bus). */
export class PolicyBlockedError extends MembershipError {
  static override readonly name = 'PolicyBlockedError'
  override readonly name = 'PolicyBlockedError'
  override readonly exitCode = 6
  readonly hint = 'the mesh policy blocks this action; an admin can change it with smesh policy set. The refusal is on the bus: smesh bus log --kind policy.deny'
}

/** An "ask" action that an admin declined, or that nobody approved in time. */
export class ApprovalError extends MembershipError {
  static override readonly name = 'ApprovalError'
  override readonly name = 'ApprovalError'
  override readonly exitCode = 6
  constructor (message: string, readonly hint: string) {
    super(message)
  }
}

export class InviteError extends MembershipError {
  static override readonly name = 'InviteError'
  override readonly name = 'InviteError'
  constructor (message: string, readonly hint: string) {
    super(message)
  }
}
