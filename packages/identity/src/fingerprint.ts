import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'

/** SHA-256 of an ML-DSA-65 public key: the author id used on the bus. */
export function pqFingerprint (publicKey: Uint8Array): Uint8Array {
  return sha256(publicKey)
}

/** Full lowercase hex of the fingerprint. */
export function pqFingerprintHex (publicKey: Uint8Array): string {
  return bytesToHex(pqFingerprint(publicKey))
}

/** A short form for people: the first 16 bytes in groups of four hex digits. */
export function formatFingerprint (hex: string): string {
  return (hex.slice(0, 32).match(/.{4}/g) ?? []).join(':')
}
