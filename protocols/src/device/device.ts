import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface ReadRequest {
  version: number
  view: string
  arg: string
}

export namespace ReadRequest {
  let _codec: Codec<ReadRequest>

  export const codec = (): Codec<ReadRequest> => {
    if (_codec == null) {
      _codec = message<ReadRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.view != null && obj.view !== '')) {
          w.uint32(18)
          w.string(obj.view)
        }

        if ((obj.arg != null && obj.arg !== '')) {
          w.uint32(26)
          w.string(obj.arg)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          view: '',
          arg: ''
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
              obj.view = reader.string()
              break
            }
            case 3: {
              obj.arg = reader.string()
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
                field: `${prefix}.view`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.arg`,
                value: reader.string()
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

  export interface ReadRequestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface ReadRequestViewFieldEvent {
    field: '$.view'
    value: string
  }

  export interface ReadRequestArgFieldEvent {
    field: '$.arg'
    value: string
  }

  export function encode (obj: Partial<ReadRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ReadRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReadRequest>): ReadRequest {
    return decodeMessage(buf, ReadRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReadRequest>): Generator<ReadRequestVersionFieldEvent | ReadRequestViewFieldEvent | ReadRequestArgFieldEvent> {
    return streamMessage(buf, ReadRequest.codec(), opts)
  }
}

export interface ReadResponse {
  ok: boolean
  error: string
  message: string
  json: Uint8Array<ArrayBuffer>
}

export namespace ReadResponse {
  let _codec: Codec<ReadResponse>

  export const codec = (): Codec<ReadResponse> => {
    if (_codec == null) {
      _codec = message<ReadResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.ok != null && obj.ok !== false)) {
          w.uint32(8)
          w.bool(obj.ok)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(18)
          w.string(obj.error)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(26)
          w.string(obj.message)
        }

        if ((obj.json != null && obj.json.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.json)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ok: false,
          error: '',
          message: '',
          json: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.ok = reader.bool()
              break
            }
            case 2: {
              obj.error = reader.string()
              break
            }
            case 3: {
              obj.message = reader.string()
              break
            }
            case 4: {
              obj.json = reader.bytes()
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
                field: `${prefix}.ok`,
                value: reader.bool()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.error`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.json`,
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

  export interface ReadResponseOkFieldEvent {
    field: '$.ok'
    value: boolean
  }

  export interface ReadResponseErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export interface ReadResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface ReadResponseJsonFieldEvent {
    field: '$.json'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ReadResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ReadResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReadResponse>): ReadResponse {
    return decodeMessage(buf, ReadResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReadResponse>): Generator<ReadResponseOkFieldEvent | ReadResponseErrorFieldEvent | ReadResponseMessageFieldEvent | ReadResponseJsonFieldEvent> {
    return streamMessage(buf, ReadResponse.codec(), opts)
  }
}

export interface Notice {
  version: number
  kind: string
  message: string
}

export namespace Notice {
  let _codec: Codec<Notice>

  export const codec = (): Codec<Notice> => {
    if (_codec == null) {
      _codec = message<Notice>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.kind != null && obj.kind !== '')) {
          w.uint32(18)
          w.string(obj.kind)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(26)
          w.string(obj.message)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          kind: '',
          message: ''
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
              obj.kind = reader.string()
              break
            }
            case 3: {
              obj.message = reader.string()
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
                field: `${prefix}.kind`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
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

  export interface NoticeVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface NoticeKindFieldEvent {
    field: '$.kind'
    value: string
  }

  export interface NoticeMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export function encode (obj: Partial<Notice>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Notice.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Notice>): Notice {
    return decodeMessage(buf, Notice.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Notice>): Generator<NoticeVersionFieldEvent | NoticeKindFieldEvent | NoticeMessageFieldEvent> {
    return streamMessage(buf, Notice.codec(), opts)
  }
}
