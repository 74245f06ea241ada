import { createHash } from 'node:crypto'
import { INVITE_TOKEN_VERSION, InviteToken, MAX_JOIN_ADDRS, MAX_TOKEN_BYTES, decodeInviteToken } from '@smesh/protocols'
import { InvalidTokenError } from './errors.js'

export const TOKEN_PREFIX = 'smesh1'
const CHECKSUM_BYTES = 4

export interface Invite {
  mesh: string
  name: string
  networkKey: string
  root: string
  rootPeerId: string
  inviterPeerId: string
  addrs: string[]
  secret: Uint8Array
  expiresAt: number
}

function checksum (payload: Uint8Array): Buffer {
  return createHash('sha256').update('smesh/invite/v1').update(payload).digest().subarray(0, CHECKSUM_BYTES)
}

/** `smesh1` + base64url(InviteToken ‖ checksum): one word, safe to paste and to put in a QR code. */
export function encodeToken (invite: Invite): string {
  const payload = InviteToken.encode({
    version: INVITE_TOKEN_VERSION,
    mesh: invite.mesh,
    name: invite.name,
    networkKey: Buffer.from(invite.networkKey, 'hex'),
    root: Buffer.from(invite.root, 'hex'),
    rootPeer: invite.rootPeerId,
    inviterPeer: invite.inviterPeerId,
    addrs: invite.addrs.slice(0, MAX_JOIN_ADDRS),
    secret: invite.secret as Uint8Array<ArrayBuffer>,
    expiresAt: BigInt(invite.expiresAt)
  })
  return TOKEN_PREFIX + Buffer.concat([payload, checksum(payload)]).toString('base64url')
}

/**
 * Decodes and checks a token: prefix, size, checksum (a changed or cut
 * character is found here), version, fields and expiry. Throws
 * InvalidTokenError naming the problem.
 */
export function decodeToken (text: string, now = Date.now()): Invite {
  const t = text.trim()
  if (!t.startsWith(TOKEN_PREFIX) || !/^[A-Za-z0-9_-]+$/.test(t.slice(TOKEN_PREFIX.length))) {
    throw new InvalidTokenError('format', `this is not a smesh join token: a token starts with "${TOKEN_PREFIX}" and has only letters, digits, "-" and "_"`)
  }
  const raw = Buffer.from(t.slice(TOKEN_PREFIX.length), 'base64url')
  if (raw.byteLength <= CHECKSUM_BYTES || raw.byteLength > MAX_TOKEN_BYTES + CHECKSUM_BYTES) {
    throw new InvalidTokenError('format', `the token is ${raw.byteLength < 64 ? 'too short: it was probably cut off' : 'too long'}`)
  }
  const payload = raw.subarray(0, raw.byteLength - CHECKSUM_BYTES)
  if (!checksum(payload).equals(raw.subarray(raw.byteLength - CHECKSUM_BYTES))) {
    throw new InvalidTokenError('checksum', 'the token is damaged: its checksum does not match (a character was changed, added or lost)')
  }
  let tok: InviteToken
  try {
    tok = decodeInviteToken(payload)
  } catch (err: any) {
    throw new InvalidTokenError('format', `the token cannot be decoded: ${err.message as string}`)
  }
  if (tok.version !== INVITE_TOKEN_VERSION) {
    throw new InvalidTokenError('version', `the token has format version ${tok.version}; this smesh understands ${INVITE_TOKEN_VERSION}`, 'update smesh on this device, or ask for a token from a device with the same smesh version')
  }
  if (!/^[0-9a-f]{32}$/.test(tok.mesh) || tok.networkKey.byteLength !== 32 || tok.root.byteLength !== 32 || tok.secret.byteLength !== 32 || tok.addrs.length === 0 || tok.inviterPeer === '') {
    throw new InvalidTokenError('fields', 'the token lacks a field it needs (mesh id, network key, root, secret or an address)')
  }
  const expiresAt = Number(tok.expiresAt)
  if (expiresAt <= now) {
    throw new InvalidTokenError('expired', `the token expired at ${new Date(expiresAt).toISOString()}`, 'ask for a new one with smesh invite (--ttl sets how long it works); nothing was changed')
  }
  return {
    mesh: tok.mesh,
    name: tok.name,
    networkKey: Buffer.from(tok.networkKey).toString('hex'),
    root: Buffer.from(tok.root).toString('hex'),
    rootPeerId: tok.rootPeer,
    inviterPeerId: tok.inviterPeer,
    addrs: tok.addrs,
    secret: tok.secret,
    expiresAt
  }
}

export function secretHash (secret: Uint8Array): string {
  return createHash('sha256').update('smesh/invite-secret/v1').update(secret).digest('hex')
}
