import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface IdentityBinding {
  version: number
  peerPublicKey: Uint8Array<ArrayBuffer>
  pqAlgorithm: number
  pqPublicKey: Uint8Array<ArrayBuffer>
  createdAt: bigint
  peerSignature: Uint8Array<ArrayBuffer>
  pqSignature: Uint8Array<ArrayBuffer>
}

export namespace IdentityBinding {
  let _codec: Codec<IdentityBinding>

  export const codec = (): Codec<IdentityBinding> => {
    if (_codec == null) {
      _codec = message<IdentityBinding>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.peerPublicKey != null && obj.peerPublicKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.peerPublicKey)
        }

        if ((obj.pqAlgorithm != null && obj.pqAlgorithm !== 0)) {
          w.uint32(24)
          w.uint32(obj.pqAlgorithm)
        }

        if ((obj.pqPublicKey != null && obj.pqPublicKey.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.pqPublicKey)
        }

        if ((obj.createdAt != null && obj.createdAt !== 0n)) {
          w.uint32(40)
          w.uint64(obj.createdAt)
        }

        if ((obj.peerSignature != null && obj.peerSignature.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.peerSignature)
        }

        if ((obj.pqSignature != null && obj.pqSignature.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.pqSignature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          peerPublicKey: uint8ArrayAlloc(0),
          pqAlgorithm: 0,
          pqPublicKey: uint8ArrayAlloc(0),
          createdAt: 0n,
          peerSignature: uint8ArrayAlloc(0),
          pqSignature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.peerPublicKey = reader.bytes()
              break
            }
            case 3: {
              obj.pqAlgorithm = reader.uint32()
              break
            }
            case 4: {
              obj.pqPublicKey = reader.bytes()
              break
            }
            case 5: {
              obj.createdAt = reader.uint64()
              break
            }
            case 6: {
              obj.peerSignature = reader.bytes()
              break
            }
            case 7: {
              obj.pqSignature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.peerPublicKey`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.pqAlgorithm`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.pqPublicKey`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.createdAt`,
                value: reader.uint64()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.peerSignature`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.pqSignature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface IdentityBindingVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface IdentityBindingPeerPublicKeyFieldEvent {
    field: '$.peerPublicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface IdentityBindingPqAlgorithmFieldEvent {
    field: '$.pqAlgorithm'
    value: number
  }

  export interface IdentityBindingPqPublicKeyFieldEvent {
    field: '$.pqPublicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface IdentityBindingCreatedAtFieldEvent {
    field: '$.createdAt'
    value: bigint
  }

  export interface IdentityBindingPeerSignatureFieldEvent {
    field: '$.peerSignature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface IdentityBindingPqSignatureFieldEvent {
    field: '$.pqSignature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<IdentityBinding>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, IdentityBinding.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IdentityBinding>): IdentityBinding {
    return decodeMessage(buf, IdentityBinding.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IdentityBinding>): Generator<IdentityBindingVersionFieldEvent | IdentityBindingPeerPublicKeyFieldEvent | IdentityBindingPqAlgorithmFieldEvent | IdentityBindingPqPublicKeyFieldEvent | IdentityBindingCreatedAtFieldEvent | IdentityBindingPeerSignatureFieldEvent | IdentityBindingPqSignatureFieldEvent> {
    return streamMessage(buf, IdentityBinding.codec(), opts)
  }
}

export interface IdentityBindingSignable {
  version: number
  peerPublicKey: Uint8Array<ArrayBuffer>
  pqAlgorithm: number
  pqPublicKey: Uint8Array<ArrayBuffer>
  createdAt: bigint
}

export namespace IdentityBindingSignable {
  let _codec: Codec<IdentityBindingSignable>

  export const codec = (): Codec<IdentityBindingSignable> => {
    if (_codec == null) {
      _codec = message<IdentityBindingSignable>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.peerPublicKey != null && obj.peerPublicKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.peerPublicKey)
        }

        if ((obj.pqAlgorithm != null && obj.pqAlgorithm !== 0)) {
          w.uint32(24)
          w.uint32(obj.pqAlgorithm)
        }

        if ((obj.pqPublicKey != null && obj.pqPublicKey.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.pqPublicKey)
        }

        if ((obj.createdAt != null && obj.createdAt !== 0n)) {
          w.uint32(40)
          w.uint64(obj.createdAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          peerPublicKey: uint8ArrayAlloc(0),
          pqAlgorithm: 0,
          pqPublicKey: uint8ArrayAlloc(0),
          createdAt: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.peerPublicKey = reader.bytes()
              break
            }
            case 3: {
              obj.pqAlgorithm = reader.uint32()
              break
            }
            case 4: {
              obj.pqPublicKey = reader.bytes()
              break
            }
            case 5: {
              obj.createdAt = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.peerPublicKey`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.pqAlgorithm`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.pqPublicKey`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.createdAt`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface IdentityBindingSignableVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface IdentityBindingSignablePeerPublicKeyFieldEvent {
    field: '$.peerPublicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface IdentityBindingSignablePqAlgorithmFieldEvent {
    field: '$.pqAlgorithm'
    value: number
  }

  export interface IdentityBindingSignablePqPublicKeyFieldEvent {
    field: '$.pqPublicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface IdentityBindingSignableCreatedAtFieldEvent {
    field: '$.createdAt'
    value: bigint
  }

  export function encode (obj: Partial<IdentityBindingSignable>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, IdentityBindingSignable.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IdentityBindingSignable>): IdentityBindingSignable {
    return decodeMessage(buf, IdentityBindingSignable.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IdentityBindingSignable>): Generator<IdentityBindingSignableVersionFieldEvent | IdentityBindingSignablePeerPublicKeyFieldEvent | IdentityBindingSignablePqAlgorithmFieldEvent | IdentityBindingSignablePqPublicKeyFieldEvent | IdentityBindingSignableCreatedAtFieldEvent> {
    return streamMessage(buf, IdentityBindingSignable.codec(), opts)
  }
}
