import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Entry {
  version: number
  algorithm: number
  author: Uint8Array<ArrayBuffer>
  seq: bigint
  prev: Uint8Array<ArrayBuffer>
  hlcMs: bigint
  hlcCounter: number
  kind: string
  body: Uint8Array<ArrayBuffer>
  publicKey: Uint8Array<ArrayBuffer>
  binding: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace Entry {
  let _codec: Codec<Entry>

  export const codec = (): Codec<Entry> => {
    if (_codec == null) {
      _codec = message<Entry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.algorithm != null && obj.algorithm !== 0)) {
          w.uint32(16)
          w.uint32(obj.algorithm)
        }

        if ((obj.author != null && obj.author.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.author)
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(32)
          w.uint64(obj.seq)
        }

        if ((obj.prev != null && obj.prev.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.prev)
        }

        if ((obj.hlcMs != null && obj.hlcMs !== 0n)) {
          w.uint32(48)
          w.uint64(obj.hlcMs)
        }

        if ((obj.hlcCounter != null && obj.hlcCounter !== 0)) {
          w.uint32(56)
          w.uint32(obj.hlcCounter)
        }

        if ((obj.kind != null && obj.kind !== '')) {
          w.uint32(66)
          w.string(obj.kind)
        }

        if ((obj.body != null && obj.body.byteLength > 0)) {
          w.uint32(74)
          w.bytes(obj.body)
        }

        if ((obj.publicKey != null && obj.publicKey.byteLength > 0)) {
          w.uint32(82)
          w.bytes(obj.publicKey)
        }

        if ((obj.binding != null && obj.binding.byteLength > 0)) {
          w.uint32(90)
          w.bytes(obj.binding)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(122)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          algorithm: 0,
          author: uint8ArrayAlloc(0),
          seq: 0n,
          prev: uint8ArrayAlloc(0),
          hlcMs: 0n,
          hlcCounter: 0,
          kind: '',
          body: uint8ArrayAlloc(0),
          publicKey: uint8ArrayAlloc(0),
          binding: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
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
              obj.algorithm = reader.uint32()
              break
            }
            case 3: {
              obj.author = reader.bytes()
              break
            }
            case 4: {
              obj.seq = reader.uint64()
              break
            }
            case 5: {
              obj.prev = reader.bytes()
              break
            }
            case 6: {
              obj.hlcMs = reader.uint64()
              break
            }
            case 7: {
              obj.hlcCounter = reader.uint32()
              break
            }
            case 8: {
              obj.kind = reader.string()
              break
            }
            case 9: {
              obj.body = reader.bytes()
              break
            }
            case 10: {
              obj.publicKey = reader.bytes()
              break
            }
            case 11: {
              obj.binding = reader.bytes()
              break
            }
            case 15: {
              obj.signature = reader.bytes()
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
                field: `${prefix}.algorithm`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.author`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.prev`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.hlcMs`,
                value: reader.uint64()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.hlcCounter`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.kind`,
                value: reader.string()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.body`,
                value: reader.bytes()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.publicKey`,
                value: reader.bytes()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.binding`,
                value: reader.bytes()
              }
              break
            }
            case 15: {
              yield {
                field: `${prefix}.signature`,
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

  export interface EntryVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface EntryAlgorithmFieldEvent {
    field: '$.algorithm'
    value: number
  }

  export interface EntryAuthorFieldEvent {
    field: '$.author'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EntrySeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface EntryPrevFieldEvent {
    field: '$.prev'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EntryHlcMsFieldEvent {
    field: '$.hlcMs'
    value: bigint
  }

  export interface EntryHlcCounterFieldEvent {
    field: '$.hlcCounter'
    value: number
  }

  export interface EntryKindFieldEvent {
    field: '$.kind'
    value: string
  }

  export interface EntryBodyFieldEvent {
    field: '$.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EntryPublicKeyFieldEvent {
    field: '$.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EntryBindingFieldEvent {
    field: '$.binding'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EntrySignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Entry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Entry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Entry>): Entry {
    return decodeMessage(buf, Entry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Entry>): Generator<EntryVersionFieldEvent | EntryAlgorithmFieldEvent | EntryAuthorFieldEvent | EntrySeqFieldEvent | EntryPrevFieldEvent | EntryHlcMsFieldEvent | EntryHlcCounterFieldEvent | EntryKindFieldEvent | EntryBodyFieldEvent | EntryPublicKeyFieldEvent | EntryBindingFieldEvent | EntrySignatureFieldEvent> {
    return streamMessage(buf, Entry.codec(), opts)
  }
}
