import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { dirname } from 'node:path'
import { readSecretFile, replaceSecretFile, syncDir } from '@smesh/identity'
import { RateLimiter } from '@smesh/bus'
import { GatewayError } from './errors.js'

/** What a gateway key may do, as `smesh keys create` set it. */
export interface KeyPolicy {
  /** The residency of its requests unless they ask a narrower one; they may not ask a wider one. */
  residency?: 'local' | 'mesh' | 'cloud'
  /** A model spec: the key may use only models that meet it (and `best` means the best of them). */
  models?: string
  /** Requests per second (bursts of twice that). */
  ratePerS?: number
  expiresAt?: number
}

/** A key as stored: its SHA-256, never the key itself. */
export interface KeyRecord extends KeyPolicy {
  name: string
  /** The first characters of the key, to tell keys apart in a listing. */
  prefix: string
  sha256: string
  createdAt: number
  revokedAt?: number
  lastUsedAt?: number
  requests: number
  inputTokens: number
  outputTokens: number
}

/** A key as listed: no hash. */
export type KeyView = Omit<KeyRecord, 'sha256'> & { status: 'active' | 'expired' | 'revoked' }

const NAME = /^[a-z0-9][a-z0-9._-]{0,31}$/
const MAX_KEYS = 1024
/** Revoked and expired keys stay listed this long, then leave the file. */
const KEEP_ENDED_MS = 30 * 86_400_000
const FILE_VERSION = 1
/** How long counters wait before they are written (a crash loses at most this much of them). */
const FLUSH_MS = 5_000
const MAX_FILE_BYTES = 4 * 1024 * 1024

const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest()

export class KeyError extends GatewayError {
  static override readonly name: string = 'KeyError'
  override readonly name: string = 'KeyError'
  readonly hint: string
  constructor (message: string, hint: string) {
    super('invalid', message)
    this.hint = hint
  }
}

/**
 * The gateway's keys, in `<data dir>/gateway-keys.json` (mode 0600, checked
 * when read): each key's SHA-256 (keys are 256 random bits, so a plain hash
 * is enough), its policy and its counters. A key is shown once, when
 * created. A lookup hashes the presented key and compares the digest with
 * every active key's, in constant time, whatever matches.
 */
export class KeyStore {
  private records: KeyRecord[] = []
  /** Active keys with their digests as bytes. */
  private active: Array<{ record: KeyRecord, digest: Buffer }> = []
  private readonly limiters = new Map<string, RateLimiter>()
  private timer?: ReturnType<typeof setTimeout>
  private writing: Promise<void> = Promise.resolve()

  constructor (private readonly path: string, private readonly now: () => number = Date.now) {}

  async open (): Promise<void> {
    let text: string
    try {
      // group or other access is refused (someone could have added a key): KeyFilePermissionsError names the fix
      text = new TextDecoder().decode(await readSecretFile(this.path, MAX_FILE_BYTES))
    } catch (err: any) {
      if (err.code === 'ENOENT') return
      throw err
    }
    let j: any
    try {
      j = JSON.parse(text)
    } catch {
      throw new KeyError(`${this.path} is not valid JSON`, 'restore it from a backup, or move it away to start without keys (clients then need new ones)')
    }
    if (j?.version !== FILE_VERSION || !Array.isArray(j.keys)) throw new KeyError(`${this.path} is not a key file of version ${FILE_VERSION}`, 'move it away to start without keys')
    this.records = (j.keys as KeyRecord[]).filter(r => typeof r?.name === 'string' && typeof r.sha256 === 'string' && /^[0-9a-f]{64}$/.test(r.sha256))
    this.reindex()
  }

  private reindex (): void {
    this.active = this.records.filter(r => r.revokedAt == null).map(record => ({ record, digest: Buffer.from(record.sha256, 'hex') }))
  }

  /** Makes a key; the key itself is returned once and never stored. */
  async create (name: string, policy: KeyPolicy = {}): Promise<{ key: string, record: KeyView }> {
    if (!NAME.test(name)) throw new KeyError(`a key name is 1-32 lower-case letters, digits, ".", "_" or "-" (not ${JSON.stringify(name.slice(0, 40))})`, 'for example: smesh keys create openwebui')
    if (this.records.some(r => r.name === name && r.revokedAt == null)) throw new KeyError(`a key named ${name} exists`, `revoke it first (smesh keys revoke ${name}) or choose another name`)
    if (this.records.filter(r => r.revokedAt == null).length >= MAX_KEYS) throw new KeyError(`this node has ${MAX_KEYS} keys`, 'revoke keys that are no longer used')
    const key = `sk-smesh-${randomBytes(32).toString('base64url')}`
    const record: KeyRecord = { name, prefix: key.slice(0, 14), sha256: sha256(key).toString('hex'), createdAt: this.now(), requests: 0, inputTokens: 0, outputTokens: 0, ...policy }
    this.records.push(record)
    this.reindex()
    await this.save()
    return { key, record: this.view(record) }
  }

  /** Revokes a key at once: the next request with it is refused. */
  async revoke (name: string): Promise<KeyView> {
    const r = this.records.find(x => x.name === name && x.revokedAt == null)
    if (r == null) throw new KeyError(`no active key is named ${name}`, 'see smesh keys')
    r.revokedAt = this.now()
    this.reindex()
    this.limiters.delete(r.name)
    await this.save()
    return this.view(r)
  }

  list (): KeyView[] {
    return this.records.map(r => this.view(r))
  }

  /** The record of a presented key, if it is valid now; undefined for an unknown, revoked or expired key. */
  verify (presented: string): KeyRecord | undefined {
    if (presented.length === 0 || presented.length > 256) return undefined
    const digest = sha256(presented)
    let found: KeyRecord | undefined
    for (const a of this.active) if (timingSafeEqual(digest, a.digest)) found = a.record
    if (found == null || (found.expiresAt != null && found.expiresAt <= this.now())) return undefined
    return found
  }

  /** Whether the key may make another request now (its rate); counts the request. */
  take (r: KeyRecord): boolean {
    if (r.ratePerS != null) {
      let limiter = this.limiters.get(r.name)
      if (limiter == null) {
        limiter = new RateLimiter(r.ratePerS, Math.max(1, r.ratePerS * 2))
        this.limiters.set(r.name, limiter)
      }
      if (!limiter.take(r.name)) return false
    }
    r.requests++
    r.lastUsedAt = this.now()
    this.later()
    return true
  }

  /** Adds a request's tokens to the key's counters. */
  count (r: KeyRecord, inputTokens: number, outputTokens: number): void {
    r.inputTokens += Math.max(0, Math.round(inputTokens))
    r.outputTokens += Math.max(0, Math.round(outputTokens))
    this.later()
  }

  /** Writes pending counters. */
  async close (): Promise<void> {
    if (this.timer != null) {
      clearTimeout(this.timer)
      this.timer = undefined
      await this.save()
    }
    await this.writing
  }

  private view (r: KeyRecord): KeyView {
    const { sha256: _h, ...rest } = r
    const status = r.revokedAt != null ? 'revoked' : r.expiresAt != null && r.expiresAt <= this.now() ? 'expired' : 'active'
    return { ...rest, status }
  }

  private later (): void {
    if (this.timer != null) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.save().catch(() => {})
    }, FLUSH_MS)
    this.timer.unref()
  }

  /** Writes the file whole, in order with earlier writes (atomic rename, mode 0600, the directory synced); keys ended over 30 days ago leave it. */
  private async save (): Promise<void> {
    const now = this.now()
    this.records = this.records.filter(r => { const ended = r.revokedAt ?? (r.expiresAt != null && r.expiresAt <= now ? r.expiresAt : undefined); return ended == null || now - ended < KEEP_ENDED_MS })
    const text = JSON.stringify({ version: FILE_VERSION, keys: this.records }, null, 2) + '\n'
    this.writing = this.writing.catch(() => {}).then(async () => {
      await replaceSecretFile(this.path, text)
      await syncDir(dirname(this.path))
    })
    await this.writing
  }
}
