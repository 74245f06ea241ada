import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { readSecretFile, replaceSecretFile } from '@smesh/identity'
import { JoinFailedError, MeshFileError } from './errors.js'
import { secretHash } from './token.js'
import type { Scope } from './scopes.js'

export const INVITES_FILE = 'invites.json'
const MAX_INVITES_BYTES = 4 * 1024 * 1024
/** Most invites kept (used and expired ones are dropped first). */
const MAX_INVITES = 1024

export interface InviteRecord {
  id: string
  /** SHA-256 of the secret: the secret itself is only in the token. */
  secretHash: string
  scopes: Scope[]
  leaseMs: number
  renew: boolean
  createdAt: number
  expiresAt: number
  usedAt?: number
  /** Author id of the device that used it. */
  usedBy?: string
  /** A phone link's invite (`smesh invite --phone`): the page phones join by stays up while one is open. */
  phone?: boolean
}

/**
 * The invites this node issued, in `<dataDir>/invites.json` (0600). An
 * invite is marked used on disk (fsync, atomic rename) before the joiner
 * is admitted, so a crash cannot let one secret admit two devices.
 */
export class InviteStore {
  private queue: Promise<unknown> = Promise.resolve()
  private readonly path: string

  constructor (dataDir: string, private readonly now: () => number = Date.now) {
    this.path = join(dataDir, INVITES_FILE)
  }

  private async serial <T> (fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn)
    this.queue = p.catch(() => {})
    return await p
  }

  private async read (): Promise<InviteRecord[]> {
    let bytes: Uint8Array
    try {
      bytes = await readSecretFile(this.path, MAX_INVITES_BYTES)
    } catch (err: any) {
      if (err.code === 'ENOENT') return []
      throw err
    }
    try {
      const v = JSON.parse(new TextDecoder().decode(bytes))
      if (!Array.isArray(v)) throw new Error('not a list')
      return v as InviteRecord[]
    } catch (err: any) {
      throw new MeshFileError(`${this.path} is damaged: ${err.message as string}`, `move it away to drop every open invite (tokens already given out stop working); nothing was changed`)
    }
  }

  private async write (list: InviteRecord[]): Promise<void> {
    await replaceSecretFile(this.path, JSON.stringify(list, null, 1) + '\n')
  }

  /** A new invite; returns the secret that goes into the token. */
  async create (options: { scopes: Scope[], ttlMs: number, leaseMs: number, renew: boolean, phone?: boolean }): Promise<{ secret: Uint8Array, record: InviteRecord }> {
    return await this.serial(async () => {
      const now = this.now()
      const secret = new Uint8Array(randomBytes(32))
      const record: InviteRecord = { id: randomBytes(4).toString('hex'), secretHash: secretHash(secret), scopes: options.scopes, leaseMs: options.leaseMs, renew: options.renew, createdAt: now, expiresAt: now + options.ttlMs, ...(options.phone === true ? { phone: true } : {}) }
      let list = await this.read()
      // room for the new one: expired and used invites go first
      if (list.length >= MAX_INVITES) list = list.filter(r => r.usedAt == null && r.expiresAt > now)
      if (list.length >= MAX_INVITES) list = list.slice(list.length - MAX_INVITES + 1)
      list.push(record)
      await this.write(list)
      return { secret, record }
    })
  }

  /**
   * Marks the invite of `secret` used by `device` and returns it; throws
   * JoinFailedError (unknown-invite, used, expired) and changes nothing then.
   * `check` runs before anything is written and may refuse too.
   */
  async take (secret: Uint8Array, device: string, check?: (r: InviteRecord) => void): Promise<InviteRecord> {
    return await this.serial(async () => {
      const list = await this.read()
      const h = secretHash(secret)
      const r = list.find(x => x.secretHash === h)
      if (r == null) throw new JoinFailedError('unknown-invite', 'the inviting node knows no such invite')
      if (r.usedAt != null) throw new JoinFailedError('used', `this invite was already used at ${new Date(r.usedAt).toISOString()}`)
      if (r.expiresAt <= this.now()) throw new JoinFailedError('expired', `this invite expired at ${new Date(r.expiresAt).toISOString()}`)
      check?.(r)
      r.usedAt = this.now()
      r.usedBy = device
      await this.write(list)
      return r
    })
  }

  /** Gives an invite back when admitting its device failed after it was taken. */
  async release (id: string): Promise<void> {
    await this.serial(async () => {
      const list = await this.read()
      const r = list.find(x => x.id === id)
      if (r == null) return
      delete r.usedAt
      delete r.usedBy
      await this.write(list)
    })
  }

  async list (): Promise<InviteRecord[]> {
    return await this.serial(async () => await this.read())
  }

  /** Invites still usable: neither used nor expired. */
  async open (): Promise<InviteRecord[]> {
    const now = this.now()
    return (await this.list()).filter(r => r.usedAt == null && r.expiresAt > now)
  }
}
