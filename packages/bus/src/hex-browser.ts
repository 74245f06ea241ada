import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'

// What a browser bundle gets in place of ./hex.js (the package's "browser"
// field): the same functions without Node's crypto and Buffer.

export function sha256 (data: Uint8Array): Uint8Array {
  return nobleSha256(data)
}

export function toHex (bytes: Uint8Array): string {
  return bytesToHex(bytes)
}

const HEX = /^(?:[0-9a-f]{2})*$/

export function fromHex (hex: string): Uint8Array {
  if (!HEX.test(hex)) throw new TypeError(`not lower-case hex: ${JSON.stringify(hex.slice(0, 80))}`)
  return hexToBytes(hex)
}

export function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((x, i) => x === b[i])
}

export function seqKey (seq: bigint | number): string {
  return BigInt(seq).toString(16).padStart(16, '0')
}
