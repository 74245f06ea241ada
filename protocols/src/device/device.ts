import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
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

export interface AskRequest {
  version: number
  messages: AskMessage[]
  prompt: string
  session: string
  model: string
  residency: string
}

export namespace AskRequest {
  let _codec: Codec<AskRequest>

  export const codec = (): Codec<AskRequest> => {
    if (_codec == null) {
      _codec = message<AskRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.messages != null && obj.messages.length > 0) {
          for (const value of obj.messages) {
            w.uint32(18)
            AskMessage.codec().encode(value, w)
          }
        }

        if ((obj.prompt != null && obj.prompt !== '')) {
          w.uint32(26)
          w.string(obj.prompt)
        }

        if ((obj.session != null && obj.session !== '')) {
          w.uint32(34)
          w.string(obj.session)
        }

        if ((obj.model != null && obj.model !== '')) {
          w.uint32(42)
          w.string(obj.model)
        }

        if ((obj.residency != null && obj.residency !== '')) {
          w.uint32(50)
          w.string(obj.residency)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          messages: [],
          prompt: '',
          session: '',
          model: '',
          residency: ''
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
              if (opts.limits?.messages != null && obj.messages.length === opts.limits.messages) {
                throw new MaxLengthError('Decode error - repeated field "messages" had too many elements')
              }

              obj.messages.push(AskMessage.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.messages$
              }))
              break
            }
            case 3: {
              obj.prompt = reader.string()
              break
            }
            case 4: {
              obj.session = reader.string()
              break
            }
            case 5: {
              obj.model = reader.string()
              break
            }
            case 6: {
              obj.residency = reader.string()
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
          messages: 0
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
              if (opts.limits?.messages != null && obj.messages === opts.limits.messages) {
                throw new MaxLengthError('Streaming decode error - repeated field "messages" had too many elements')
              }

              for (const evt of AskMessage.codec().stream(reader, reader.uint32(), `${prefix}.messages[]`, {
                limits: opts.limits?.messages$
              })) {
                yield {
                  ...evt,
                  index: obj.messages
                }
              }

              obj.messages++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.prompt`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.session`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.model`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.residency`,
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

  export interface AskRequestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface AskRequestMessagesRoleFieldEvent {
    field: '$.messages[].role'
    value: string
    index: number
  }

  export interface AskRequestMessagesContentFieldEvent {
    field: '$.messages[].content'
    value: string
    index: number
  }

  export interface AskRequestPromptFieldEvent {
    field: '$.prompt'
    value: string
  }

  export interface AskRequestSessionFieldEvent {
    field: '$.session'
    value: string
  }

  export interface AskRequestModelFieldEvent {
    field: '$.model'
    value: string
  }

  export interface AskRequestResidencyFieldEvent {
    field: '$.residency'
    value: string
  }

  export function encode (obj: Partial<AskRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AskRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AskRequest>): AskRequest {
    return decodeMessage(buf, AskRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AskRequest>): Generator<AskRequestVersionFieldEvent | AskRequestMessagesRoleFieldEvent | AskRequestMessagesContentFieldEvent | AskRequestPromptFieldEvent | AskRequestSessionFieldEvent | AskRequestModelFieldEvent | AskRequestResidencyFieldEvent> {
    return streamMessage(buf, AskRequest.codec(), opts)
  }
}

export interface AskMessage {
  role: string
  content: string
}

export namespace AskMessage {
  let _codec: Codec<AskMessage>

  export const codec = (): Codec<AskMessage> => {
    if (_codec == null) {
      _codec = message<AskMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.role != null && obj.role !== '')) {
          w.uint32(10)
          w.string(obj.role)
        }

        if ((obj.content != null && obj.content !== '')) {
          w.uint32(18)
          w.string(obj.content)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          role: '',
          content: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.role = reader.string()
              break
            }
            case 2: {
              obj.content = reader.string()
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
                field: `${prefix}.role`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.content`,
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

  export interface AskMessageRoleFieldEvent {
    field: '$.role'
    value: string
  }

  export interface AskMessageContentFieldEvent {
    field: '$.content'
    value: string
  }

  export function encode (obj: Partial<AskMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AskMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AskMessage>): AskMessage {
    return decodeMessage(buf, AskMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AskMessage>): Generator<AskMessageRoleFieldEvent | AskMessageContentFieldEvent> {
    return streamMessage(buf, AskMessage.codec(), opts)
  }
}

export interface AskEvent {
  type: string
  text: string
  task: string
  device: string
  peer: string
  provider: string
  model: string
  tier: string
  code: string
  message: string
  hint: string
  firstTokenMs: number
  totalMs: number
}

export namespace AskEvent {
  let _codec: Codec<AskEvent>

  export const codec = (): Codec<AskEvent> => {
    if (_codec == null) {
      _codec = message<AskEvent>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.type != null && obj.type !== '')) {
          w.uint32(10)
          w.string(obj.type)
        }

        if ((obj.text != null && obj.text !== '')) {
          w.uint32(18)
          w.string(obj.text)
        }

        if ((obj.task != null && obj.task !== '')) {
          w.uint32(26)
          w.string(obj.task)
        }

        if ((obj.device != null && obj.device !== '')) {
          w.uint32(34)
          w.string(obj.device)
        }

        if ((obj.peer != null && obj.peer !== '')) {
          w.uint32(42)
          w.string(obj.peer)
        }

        if ((obj.provider != null && obj.provider !== '')) {
          w.uint32(50)
          w.string(obj.provider)
        }

        if ((obj.model != null && obj.model !== '')) {
          w.uint32(58)
          w.string(obj.model)
        }

        if ((obj.tier != null && obj.tier !== '')) {
          w.uint32(66)
          w.string(obj.tier)
        }

        if ((obj.code != null && obj.code !== '')) {
          w.uint32(74)
          w.string(obj.code)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(82)
          w.string(obj.message)
        }

        if ((obj.hint != null && obj.hint !== '')) {
          w.uint32(90)
          w.string(obj.hint)
        }

        if ((obj.firstTokenMs != null && obj.firstTokenMs !== 0)) {
          w.uint32(96)
          w.uint32(obj.firstTokenMs)
        }

        if ((obj.totalMs != null && obj.totalMs !== 0)) {
          w.uint32(104)
          w.uint32(obj.totalMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          type: '',
          text: '',
          task: '',
          device: '',
          peer: '',
          provider: '',
          model: '',
          tier: '',
          code: '',
          message: '',
          hint: '',
          firstTokenMs: 0,
          totalMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.type = reader.string()
              break
            }
            case 2: {
              obj.text = reader.string()
              break
            }
            case 3: {
              obj.task = reader.string()
              break
            }
            case 4: {
              obj.device = reader.string()
              break
            }
            case 5: {
              obj.peer = reader.string()
              break
            }
            case 6: {
              obj.provider = reader.string()
              break
            }
            case 7: {
              obj.model = reader.string()
              break
            }
            case 8: {
              obj.tier = reader.string()
              break
            }
            case 9: {
              obj.code = reader.string()
              break
            }
            case 10: {
              obj.message = reader.string()
              break
            }
            case 11: {
              obj.hint = reader.string()
              break
            }
            case 12: {
              obj.firstTokenMs = reader.uint32()
              break
            }
            case 13: {
              obj.totalMs = reader.uint32()
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
                field: `${prefix}.type`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.text`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.task`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.device`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.peer`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.provider`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.model`,
                value: reader.string()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.tier`,
                value: reader.string()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.code`,
                value: reader.string()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.hint`,
                value: reader.string()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.firstTokenMs`,
                value: reader.uint32()
              }
              break
            }
            case 13: {
              yield {
                field: `${prefix}.totalMs`,
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

  export interface AskEventTypeFieldEvent {
    field: '$.type'
    value: string
  }

  export interface AskEventTextFieldEvent {
    field: '$.text'
    value: string
  }

  export interface AskEventTaskFieldEvent {
    field: '$.task'
    value: string
  }

  export interface AskEventDeviceFieldEvent {
    field: '$.device'
    value: string
  }

  export interface AskEventPeerFieldEvent {
    field: '$.peer'
    value: string
  }

  export interface AskEventProviderFieldEvent {
    field: '$.provider'
    value: string
  }

  export interface AskEventModelFieldEvent {
    field: '$.model'
    value: string
  }

  export interface AskEventTierFieldEvent {
    field: '$.tier'
    value: string
  }

  export interface AskEventCodeFieldEvent {
    field: '$.code'
    value: string
  }

  export interface AskEventMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface AskEventHintFieldEvent {
    field: '$.hint'
    value: string
  }

  export interface AskEventFirstTokenMsFieldEvent {
    field: '$.firstTokenMs'
    value: number
  }

  export interface AskEventTotalMsFieldEvent {
    field: '$.totalMs'
    value: number
  }

  export function encode (obj: Partial<AskEvent>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AskEvent.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AskEvent>): AskEvent {
    return decodeMessage(buf, AskEvent.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AskEvent>): Generator<AskEventTypeFieldEvent | AskEventTextFieldEvent | AskEventTaskFieldEvent | AskEventDeviceFieldEvent | AskEventPeerFieldEvent | AskEventProviderFieldEvent | AskEventModelFieldEvent | AskEventTierFieldEvent | AskEventCodeFieldEvent | AskEventMessageFieldEvent | AskEventHintFieldEvent | AskEventFirstTokenMsFieldEvent | AskEventTotalMsFieldEvent> {
    return streamMessage(buf, AskEvent.codec(), opts)
  }
}

export interface PushRequest {
  version: number
  entry: Uint8Array<ArrayBuffer>
}

export namespace PushRequest {
  let _codec: Codec<PushRequest>

  export const codec = (): Codec<PushRequest> => {
    if (_codec == null) {
      _codec = message<PushRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.entry != null && obj.entry.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.entry)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          entry: uint8ArrayAlloc(0)
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
              obj.entry = reader.bytes()
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
                field: `${prefix}.entry`,
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

  export interface PushRequestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface PushRequestEntryFieldEvent {
    field: '$.entry'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<PushRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PushRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PushRequest>): PushRequest {
    return decodeMessage(buf, PushRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PushRequest>): Generator<PushRequestVersionFieldEvent | PushRequestEntryFieldEvent> {
    return streamMessage(buf, PushRequest.codec(), opts)
  }
}

export interface PushResponse {
  ok: boolean
  error: string
  message: string
}

export namespace PushResponse {
  let _codec: Codec<PushResponse>

  export const codec = (): Codec<PushResponse> => {
    if (_codec == null) {
      _codec = message<PushResponse>((obj, w, opts = {}) => {
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

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ok: false,
          error: '',
          message: ''
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

  export interface PushResponseOkFieldEvent {
    field: '$.ok'
    value: boolean
  }

  export interface PushResponseErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export interface PushResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export function encode (obj: Partial<PushResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PushResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PushResponse>): PushResponse {
    return decodeMessage(buf, PushResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PushResponse>): Generator<PushResponseOkFieldEvent | PushResponseErrorFieldEvent | PushResponseMessageFieldEvent> {
    return streamMessage(buf, PushResponse.codec(), opts)
  }
}
