import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface BundleManifest {
  version: number
  mesh: string
  createdAt: bigint
  exporterBinding: Uint8Array<ArrayBuffer>
  heads: Head[]
  entryCount: bigint
  evidenceCount: bigint
  evidence: Uint8Array<ArrayBuffer>[]
  signature: Uint8Array<ArrayBuffer>
}

export namespace BundleManifest {
  let _codec: Codec<BundleManifest>

  export const codec = (): Codec<BundleManifest> => {
    if (_codec == null) {
      _codec = message<BundleManifest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.mesh != null && obj.mesh !== '')) {
          w.uint32(18)
          w.string(obj.mesh)
        }

        if ((obj.createdAt != null && obj.createdAt !== 0n)) {
          w.uint32(24)
          w.uint64(obj.createdAt)
        }

        if ((obj.exporterBinding != null && obj.exporterBinding.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.exporterBinding)
        }

        if (obj.heads != null && obj.heads.length > 0) {
          for (const value of obj.heads) {
            w.uint32(42)
            Head.codec().encode(value, w)
          }
        }

        if ((obj.entryCount != null && obj.entryCount !== 0n)) {
          w.uint32(48)
          w.uint64(obj.entryCount)
        }

        if ((obj.evidenceCount != null && obj.evidenceCount !== 0n)) {
          w.uint32(56)
          w.uint64(obj.evidenceCount)
        }

        if (obj.evidence != null && obj.evidence.length > 0) {
          for (const value of obj.evidence) {
            w.uint32(66)
            w.bytes(value)
          }
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
          mesh: '',
          createdAt: 0n,
          exporterBinding: uint8ArrayAlloc(0),
          heads: [],
          entryCount: 0n,
          evidenceCount: 0n,
          evidence: [],
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
              obj.mesh = reader.string()
              break
            }
            case 3: {
              obj.createdAt = reader.uint64()
              break
            }
            case 4: {
              obj.exporterBinding = reader.bytes()
              break
            }
            case 5: {
              if (opts.limits?.heads != null && obj.heads.length === opts.limits.heads) {
                throw new MaxLengthError('Decode error - repeated field "heads" had too many elements')
              }

              obj.heads.push(Head.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.heads$
              }))
              break
            }
            case 6: {
              obj.entryCount = reader.uint64()
              break
            }
            case 7: {
              obj.evidenceCount = reader.uint64()
              break
            }
            case 8: {
              if (opts.limits?.evidence != null && obj.evidence.length === opts.limits.evidence) {
                throw new MaxLengthError('Decode error - repeated field "evidence" had too many elements')
              }

              obj.evidence.push(reader.bytes())
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
        const obj = {
          heads: 0,
          evidence: 0
        }

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
                field: `${prefix}.mesh`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.createdAt`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.exporterBinding`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              if (opts.limits?.heads != null && obj.heads === opts.limits.heads) {
                throw new MaxLengthError('Streaming decode error - repeated field "heads" had too many elements')
              }

              for (const evt of Head.codec().stream(reader, reader.uint32(), `${prefix}.heads[]`, {
                limits: opts.limits?.heads$
              })) {
                yield {
                  ...evt,
                  index: obj.heads
                }
              }

              obj.heads++

              break
            }
            case 6: {
              yield {
                field: `${prefix}.entryCount`,
                value: reader.uint64()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.evidenceCount`,
                value: reader.uint64()
              }
              break
            }
            case 8: {
              if (opts.limits?.evidence != null && obj.evidence === opts.limits.evidence) {
                throw new MaxLengthError('Streaming decode error - repeated field "evidence" had too many elements')
              }

              yield {
                field: `${prefix}.evidence[]`,
                index: obj.evidence,
                value: reader.bytes()
              }

              obj.evidence++

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

  export interface BundleManifestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface BundleManifestMeshFieldEvent {
    field: '$.mesh'
    value: string
  }

  export interface BundleManifestCreatedAtFieldEvent {
    field: '$.createdAt'
    value: bigint
  }

  export interface BundleManifestExporterBindingFieldEvent {
    field: '$.exporterBinding'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BundleManifestHeadsAuthorFieldEvent {
    field: '$.heads[].author'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BundleManifestHeadsSeqFieldEvent {
    field: '$.heads[].seq'
    value: bigint
    index: number
  }

  export interface BundleManifestHeadsHashFieldEvent {
    field: '$.heads[].hash'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BundleManifestEntryCountFieldEvent {
    field: '$.entryCount'
    value: bigint
  }

  export interface BundleManifestEvidenceCountFieldEvent {
    field: '$.evidenceCount'
    value: bigint
  }

  export interface BundleManifestEvidenceFieldEvent {
    field: '$.evidence[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface BundleManifestSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<BundleManifest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BundleManifest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BundleManifest>): BundleManifest {
    return decodeMessage(buf, BundleManifest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BundleManifest>): Generator<BundleManifestVersionFieldEvent | BundleManifestMeshFieldEvent | BundleManifestCreatedAtFieldEvent | BundleManifestExporterBindingFieldEvent | BundleManifestHeadsAuthorFieldEvent | BundleManifestHeadsSeqFieldEvent | BundleManifestHeadsHashFieldEvent | BundleManifestEntryCountFieldEvent | BundleManifestEvidenceCountFieldEvent | BundleManifestEvidenceFieldEvent | BundleManifestSignatureFieldEvent> {
    return streamMessage(buf, BundleManifest.codec(), opts)
  }
}

export interface Head {
  author: Uint8Array<ArrayBuffer>
  seq: bigint
  hash: Uint8Array<ArrayBuffer>
}

export namespace Head {
  let _codec: Codec<Head>

  export const codec = (): Codec<Head> => {
    if (_codec == null) {
      _codec = message<Head>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.author != null && obj.author.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.author)
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(16)
          w.uint64(obj.seq)
        }

        if ((obj.hash != null && obj.hash.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.hash)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          author: uint8ArrayAlloc(0),
          seq: 0n,
          hash: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.author = reader.bytes()
              break
            }
            case 2: {
              obj.seq = reader.uint64()
              break
            }
            case 3: {
              obj.hash = reader.bytes()
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
                field: `${prefix}.author`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.hash`,
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

  export interface HeadAuthorFieldEvent {
    field: '$.author'
    value: Uint8Array<ArrayBuffer>
  }

  export interface HeadSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface HeadHashFieldEvent {
    field: '$.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Head>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Head.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Head>): Head {
    return decodeMessage(buf, Head.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Head>): Generator<HeadAuthorFieldEvent | HeadSeqFieldEvent | HeadHashFieldEvent> {
    return streamMessage(buf, Head.codec(), opts)
  }
}

export interface SyncHello {
  version: number
  mesh: string
  heads: Head[]
}

export namespace SyncHello {
  let _codec: Codec<SyncHello>

  export const codec = (): Codec<SyncHello> => {
    if (_codec == null) {
      _codec = message<SyncHello>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.mesh != null && obj.mesh !== '')) {
          w.uint32(18)
          w.string(obj.mesh)
        }

        if (obj.heads != null && obj.heads.length > 0) {
          for (const value of obj.heads) {
            w.uint32(26)
            Head.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          mesh: '',
          heads: []
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
              obj.mesh = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.heads != null && obj.heads.length === opts.limits.heads) {
                throw new MaxLengthError('Decode error - repeated field "heads" had too many elements')
              }

              obj.heads.push(Head.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.heads$
              }))
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
        const obj = {
          heads: 0
        }

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
                field: `${prefix}.mesh`,
                value: reader.string()
              }
              break
            }
            case 3: {
              if (opts.limits?.heads != null && obj.heads === opts.limits.heads) {
                throw new MaxLengthError('Streaming decode error - repeated field "heads" had too many elements')
              }

              for (const evt of Head.codec().stream(reader, reader.uint32(), `${prefix}.heads[]`, {
                limits: opts.limits?.heads$
              })) {
                yield {
                  ...evt,
                  index: obj.heads
                }
              }

              obj.heads++

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

  export interface SyncHelloVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface SyncHelloMeshFieldEvent {
    field: '$.mesh'
    value: string
  }

  export interface SyncHelloHeadsAuthorFieldEvent {
    field: '$.heads[].author'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SyncHelloHeadsSeqFieldEvent {
    field: '$.heads[].seq'
    value: bigint
    index: number
  }

  export interface SyncHelloHeadsHashFieldEvent {
    field: '$.heads[].hash'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<SyncHello>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SyncHello.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncHello>): SyncHello {
    return decodeMessage(buf, SyncHello.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncHello>): Generator<SyncHelloVersionFieldEvent | SyncHelloMeshFieldEvent | SyncHelloHeadsAuthorFieldEvent | SyncHelloHeadsSeqFieldEvent | SyncHelloHeadsHashFieldEvent> {
    return streamMessage(buf, SyncHello.codec(), opts)
  }
}

export interface SyncHeads {
  heads: Head[]
  more: boolean
}

export namespace SyncHeads {
  let _codec: Codec<SyncHeads>

  export const codec = (): Codec<SyncHeads> => {
    if (_codec == null) {
      _codec = message<SyncHeads>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.heads != null && obj.heads.length > 0) {
          for (const value of obj.heads) {
            w.uint32(10)
            Head.codec().encode(value, w)
          }
        }

        if ((obj.more != null && obj.more !== false)) {
          w.uint32(16)
          w.bool(obj.more)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          heads: [],
          more: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.heads != null && obj.heads.length === opts.limits.heads) {
                throw new MaxLengthError('Decode error - repeated field "heads" had too many elements')
              }

              obj.heads.push(Head.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.heads$
              }))
              break
            }
            case 2: {
              obj.more = reader.bool()
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
        const obj = {
          heads: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.heads != null && obj.heads === opts.limits.heads) {
                throw new MaxLengthError('Streaming decode error - repeated field "heads" had too many elements')
              }

              for (const evt of Head.codec().stream(reader, reader.uint32(), `${prefix}.heads[]`, {
                limits: opts.limits?.heads$
              })) {
                yield {
                  ...evt,
                  index: obj.heads
                }
              }

              obj.heads++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.more`,
                value: reader.bool()
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

  export interface SyncHeadsHeadsAuthorFieldEvent {
    field: '$.heads[].author'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SyncHeadsHeadsSeqFieldEvent {
    field: '$.heads[].seq'
    value: bigint
    index: number
  }

  export interface SyncHeadsHeadsHashFieldEvent {
    field: '$.heads[].hash'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SyncHeadsMoreFieldEvent {
    field: '$.more'
    value: boolean
  }

  export function encode (obj: Partial<SyncHeads>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SyncHeads.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncHeads>): SyncHeads {
    return decodeMessage(buf, SyncHeads.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncHeads>): Generator<SyncHeadsHeadsAuthorFieldEvent | SyncHeadsHeadsSeqFieldEvent | SyncHeadsHeadsHashFieldEvent | SyncHeadsMoreFieldEvent> {
    return streamMessage(buf, SyncHeads.codec(), opts)
  }
}

export interface SyncWant {
  author: Uint8Array<ArrayBuffer>
  fromSeq: bigint
  limit: number
}

export namespace SyncWant {
  let _codec: Codec<SyncWant>

  export const codec = (): Codec<SyncWant> => {
    if (_codec == null) {
      _codec = message<SyncWant>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.author != null && obj.author.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.author)
        }

        if ((obj.fromSeq != null && obj.fromSeq !== 0n)) {
          w.uint32(16)
          w.uint64(obj.fromSeq)
        }

        if ((obj.limit != null && obj.limit !== 0)) {
          w.uint32(24)
          w.uint32(obj.limit)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          author: uint8ArrayAlloc(0),
          fromSeq: 0n,
          limit: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.author = reader.bytes()
              break
            }
            case 2: {
              obj.fromSeq = reader.uint64()
              break
            }
            case 3: {
              obj.limit = reader.uint32()
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
                field: `${prefix}.author`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.fromSeq`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.limit`,
                value: reader.uint32()
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

  export interface SyncWantAuthorFieldEvent {
    field: '$.author'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncWantFromSeqFieldEvent {
    field: '$.fromSeq'
    value: bigint
  }

  export interface SyncWantLimitFieldEvent {
    field: '$.limit'
    value: number
  }

  export function encode (obj: Partial<SyncWant>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SyncWant.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncWant>): SyncWant {
    return decodeMessage(buf, SyncWant.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncWant>): Generator<SyncWantAuthorFieldEvent | SyncWantFromSeqFieldEvent | SyncWantLimitFieldEvent> {
    return streamMessage(buf, SyncWant.codec(), opts)
  }
}

export interface SyncBatch {
  entries: Uint8Array<ArrayBuffer>[]
}

export namespace SyncBatch {
  let _codec: Codec<SyncBatch>

  export const codec = (): Codec<SyncBatch> => {
    if (_codec == null) {
      _codec = message<SyncBatch>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.entries != null && obj.entries.length > 0) {
          for (const value of obj.entries) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          entries: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                throw new MaxLengthError('Decode error - repeated field "entries" had too many elements')
              }

              obj.entries.push(reader.bytes())
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
        const obj = {
          entries: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.entries != null && obj.entries === opts.limits.entries) {
                throw new MaxLengthError('Streaming decode error - repeated field "entries" had too many elements')
              }

              yield {
                field: `${prefix}.entries[]`,
                index: obj.entries,
                value: reader.bytes()
              }

              obj.entries++

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

  export interface SyncBatchEntriesFieldEvent {
    field: '$.entries[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SyncBatch>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SyncBatch.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncBatch>): SyncBatch {
    return decodeMessage(buf, SyncBatch.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncBatch>): Generator<SyncBatchEntriesFieldEvent> {
    return streamMessage(buf, SyncBatch.codec(), opts)
  }
}

export interface ForkProof {
  entryA: Uint8Array<ArrayBuffer>
  entryB: Uint8Array<ArrayBuffer>
}

export namespace ForkProof {
  let _codec: Codec<ForkProof>

  export const codec = (): Codec<ForkProof> => {
    if (_codec == null) {
      _codec = message<ForkProof>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.entryA != null && obj.entryA.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.entryA)
        }

        if ((obj.entryB != null && obj.entryB.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.entryB)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          entryA: uint8ArrayAlloc(0),
          entryB: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.entryA = reader.bytes()
              break
            }
            case 2: {
              obj.entryB = reader.bytes()
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
                field: `${prefix}.entryA`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.entryB`,
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

  export interface ForkProofEntryAFieldEvent {
    field: '$.entryA'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ForkProofEntryBFieldEvent {
    field: '$.entryB'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ForkProof>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ForkProof.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ForkProof>): ForkProof {
    return decodeMessage(buf, ForkProof.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ForkProof>): Generator<ForkProofEntryAFieldEvent | ForkProofEntryBFieldEvent> {
    return streamMessage(buf, ForkProof.codec(), opts)
  }
}
