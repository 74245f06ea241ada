import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Advert {
  version: number
  peer: string
  issuedAt: bigint
  expiresAt: bigint
  queue: number
  concurrency: number
  providers: AdvertProvider[]
}

export namespace Advert {
  let _codec: Codec<Advert>

  export const codec = (): Codec<Advert> => {
    if (_codec == null) {
      _codec = message<Advert>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.peer != null && obj.peer !== '')) {
          w.uint32(18)
          w.string(obj.peer)
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0n)) {
          w.uint32(24)
          w.uint64(obj.issuedAt)
        }

        if ((obj.expiresAt != null && obj.expiresAt !== 0n)) {
          w.uint32(32)
          w.uint64(obj.expiresAt)
        }

        if ((obj.queue != null && obj.queue !== 0)) {
          w.uint32(40)
          w.uint32(obj.queue)
        }

        if ((obj.concurrency != null && obj.concurrency !== 0)) {
          w.uint32(48)
          w.uint32(obj.concurrency)
        }

        if (obj.providers != null && obj.providers.length > 0) {
          for (const value of obj.providers) {
            w.uint32(58)
            AdvertProvider.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          peer: '',
          issuedAt: 0n,
          expiresAt: 0n,
          queue: 0,
          concurrency: 0,
          providers: []
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
              obj.peer = reader.string()
              break
            }
            case 3: {
              obj.issuedAt = reader.uint64()
              break
            }
            case 4: {
              obj.expiresAt = reader.uint64()
              break
            }
            case 5: {
              obj.queue = reader.uint32()
              break
            }
            case 6: {
              obj.concurrency = reader.uint32()
              break
            }
            case 7: {
              if (opts.limits?.providers != null && obj.providers.length === opts.limits.providers) {
                throw new MaxLengthError('Decode error - repeated field "providers" had too many elements')
              }

              obj.providers.push(AdvertProvider.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.providers$
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
          providers: 0
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
                field: `${prefix}.peer`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.expiresAt`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.queue`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.concurrency`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              if (opts.limits?.providers != null && obj.providers === opts.limits.providers) {
                throw new MaxLengthError('Streaming decode error - repeated field "providers" had too many elements')
              }

              for (const evt of AdvertProvider.codec().stream(reader, reader.uint32(), `${prefix}.providers[]`, {
                limits: opts.limits?.providers$
              })) {
                yield {
                  ...evt,
                  index: obj.providers
                }
              }

              obj.providers++

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

  export interface AdvertVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface AdvertPeerFieldEvent {
    field: '$.peer'
    value: string
  }

  export interface AdvertIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: bigint
  }

  export interface AdvertExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: bigint
  }

  export interface AdvertQueueFieldEvent {
    field: '$.queue'
    value: number
  }

  export interface AdvertConcurrencyFieldEvent {
    field: '$.concurrency'
    value: number
  }

  export interface AdvertProvidersNameFieldEvent {
    field: '$.providers[].name'
    value: string
    index: number
  }

  export interface AdvertProvidersKindFieldEvent {
    field: '$.providers[].kind'
    value: string
    index: number
  }

  export interface AdvertProvidersTierFieldEvent {
    field: '$.providers[].tier'
    value: string
    index: number
  }

  export interface AdvertProvidersCooldownUntilFieldEvent {
    field: '$.providers[].cooldownUntil'
    value: bigint
    index: number
  }

  export interface AdvertProvidersTokensPerSFieldEvent {
    field: '$.providers[].tokensPerS'
    value: number
    index: number
  }

  export interface AdvertProvidersModelsNameFieldEvent {
    field: '$.providers[].models[].name'
    value: string
    index: number
  }

  export interface AdvertProvidersModelsDigestFieldEvent {
    field: '$.providers[].models[].digest'
    value: string
    index: number
  }

  export interface AdvertProvidersModelsFamilyFieldEvent {
    field: '$.providers[].models[].family'
    value: string
    index: number
  }

  export interface AdvertProvidersModelsSizeFieldEvent {
    field: '$.providers[].models[].size'
    value: number
    index: number
  }

  export interface AdvertProvidersModelsQuantizationFieldEvent {
    field: '$.providers[].models[].quantization'
    value: string
    index: number
  }

  export interface AdvertProvidersModelsContextLengthFieldEvent {
    field: '$.providers[].models[].contextLength'
    value: number
    index: number
  }

  export interface AdvertProvidersModelsLoadedFieldEvent {
    field: '$.providers[].models[].loaded'
    value: boolean
    index: number
  }

  export function encode (obj: Partial<Advert>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Advert.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Advert>): Advert {
    return decodeMessage(buf, Advert.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Advert>): Generator<AdvertVersionFieldEvent | AdvertPeerFieldEvent | AdvertIssuedAtFieldEvent | AdvertExpiresAtFieldEvent | AdvertQueueFieldEvent | AdvertConcurrencyFieldEvent | AdvertProvidersNameFieldEvent | AdvertProvidersKindFieldEvent | AdvertProvidersTierFieldEvent | AdvertProvidersCooldownUntilFieldEvent | AdvertProvidersTokensPerSFieldEvent | AdvertProvidersModelsNameFieldEvent | AdvertProvidersModelsDigestFieldEvent | AdvertProvidersModelsFamilyFieldEvent | AdvertProvidersModelsSizeFieldEvent | AdvertProvidersModelsQuantizationFieldEvent | AdvertProvidersModelsContextLengthFieldEvent | AdvertProvidersModelsLoadedFieldEvent> {
    return streamMessage(buf, Advert.codec(), opts)
  }
}

export interface AdvertProvider {
  name: string
  kind: string
  tier: string
  cooldownUntil: bigint
  tokensPerS: number
  models: AdvertModel[]
}

export namespace AdvertProvider {
  let _codec: Codec<AdvertProvider>

  export const codec = (): Codec<AdvertProvider> => {
    if (_codec == null) {
      _codec = message<AdvertProvider>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if ((obj.kind != null && obj.kind !== '')) {
          w.uint32(18)
          w.string(obj.kind)
        }

        if ((obj.tier != null && obj.tier !== '')) {
          w.uint32(26)
          w.string(obj.tier)
        }

        if ((obj.cooldownUntil != null && obj.cooldownUntil !== 0n)) {
          w.uint32(32)
          w.uint64(obj.cooldownUntil)
        }

        if ((obj.tokensPerS != null && obj.tokensPerS !== 0)) {
          w.uint32(45)
          w.float(obj.tokensPerS)
        }

        if (obj.models != null && obj.models.length > 0) {
          for (const value of obj.models) {
            w.uint32(50)
            AdvertModel.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          kind: '',
          tier: '',
          cooldownUntil: 0n,
          tokensPerS: 0,
          models: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
              obj.kind = reader.string()
              break
            }
            case 3: {
              obj.tier = reader.string()
              break
            }
            case 4: {
              obj.cooldownUntil = reader.uint64()
              break
            }
            case 5: {
              obj.tokensPerS = reader.float()
              break
            }
            case 6: {
              if (opts.limits?.models != null && obj.models.length === opts.limits.models) {
                throw new MaxLengthError('Decode error - repeated field "models" had too many elements')
              }

              obj.models.push(AdvertModel.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.models$
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
          models: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
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
                field: `${prefix}.tier`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.cooldownUntil`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.tokensPerS`,
                value: reader.float()
              }
              break
            }
            case 6: {
              if (opts.limits?.models != null && obj.models === opts.limits.models) {
                throw new MaxLengthError('Streaming decode error - repeated field "models" had too many elements')
              }

              for (const evt of AdvertModel.codec().stream(reader, reader.uint32(), `${prefix}.models[]`, {
                limits: opts.limits?.models$
              })) {
                yield {
                  ...evt,
                  index: obj.models
                }
              }

              obj.models++

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

  export interface AdvertProviderNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface AdvertProviderKindFieldEvent {
    field: '$.kind'
    value: string
  }

  export interface AdvertProviderTierFieldEvent {
    field: '$.tier'
    value: string
  }

  export interface AdvertProviderCooldownUntilFieldEvent {
    field: '$.cooldownUntil'
    value: bigint
  }

  export interface AdvertProviderTokensPerSFieldEvent {
    field: '$.tokensPerS'
    value: number
  }

  export interface AdvertProviderModelsNameFieldEvent {
    field: '$.models[].name'
    value: string
    index: number
  }

  export interface AdvertProviderModelsDigestFieldEvent {
    field: '$.models[].digest'
    value: string
    index: number
  }

  export interface AdvertProviderModelsFamilyFieldEvent {
    field: '$.models[].family'
    value: string
    index: number
  }

  export interface AdvertProviderModelsSizeFieldEvent {
    field: '$.models[].size'
    value: number
    index: number
  }

  export interface AdvertProviderModelsQuantizationFieldEvent {
    field: '$.models[].quantization'
    value: string
    index: number
  }

  export interface AdvertProviderModelsContextLengthFieldEvent {
    field: '$.models[].contextLength'
    value: number
    index: number
  }

  export interface AdvertProviderModelsLoadedFieldEvent {
    field: '$.models[].loaded'
    value: boolean
    index: number
  }

  export function encode (obj: Partial<AdvertProvider>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AdvertProvider.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AdvertProvider>): AdvertProvider {
    return decodeMessage(buf, AdvertProvider.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AdvertProvider>): Generator<AdvertProviderNameFieldEvent | AdvertProviderKindFieldEvent | AdvertProviderTierFieldEvent | AdvertProviderCooldownUntilFieldEvent | AdvertProviderTokensPerSFieldEvent | AdvertProviderModelsNameFieldEvent | AdvertProviderModelsDigestFieldEvent | AdvertProviderModelsFamilyFieldEvent | AdvertProviderModelsSizeFieldEvent | AdvertProviderModelsQuantizationFieldEvent | AdvertProviderModelsContextLengthFieldEvent | AdvertProviderModelsLoadedFieldEvent> {
    return streamMessage(buf, AdvertProvider.codec(), opts)
  }
}

export interface AdvertModel {
  name: string
  digest: string
  family: string
  size: number
  quantization: string
  contextLength: number
  loaded: boolean
}

export namespace AdvertModel {
  let _codec: Codec<AdvertModel>

  export const codec = (): Codec<AdvertModel> => {
    if (_codec == null) {
      _codec = message<AdvertModel>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if ((obj.digest != null && obj.digest !== '')) {
          w.uint32(18)
          w.string(obj.digest)
        }

        if ((obj.family != null && obj.family !== '')) {
          w.uint32(26)
          w.string(obj.family)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(33)
          w.double(obj.size)
        }

        if ((obj.quantization != null && obj.quantization !== '')) {
          w.uint32(42)
          w.string(obj.quantization)
        }

        if ((obj.contextLength != null && obj.contextLength !== 0)) {
          w.uint32(48)
          w.uint32(obj.contextLength)
        }

        if ((obj.loaded != null && obj.loaded !== false)) {
          w.uint32(56)
          w.bool(obj.loaded)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          digest: '',
          family: '',
          size: 0,
          quantization: '',
          contextLength: 0,
          loaded: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
              obj.digest = reader.string()
              break
            }
            case 3: {
              obj.family = reader.string()
              break
            }
            case 4: {
              obj.size = reader.double()
              break
            }
            case 5: {
              obj.quantization = reader.string()
              break
            }
            case 6: {
              obj.contextLength = reader.uint32()
              break
            }
            case 7: {
              obj.loaded = reader.bool()
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
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.digest`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.family`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.size`,
                value: reader.double()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.quantization`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.contextLength`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.loaded`,
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

  export interface AdvertModelNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface AdvertModelDigestFieldEvent {
    field: '$.digest'
    value: string
  }

  export interface AdvertModelFamilyFieldEvent {
    field: '$.family'
    value: string
  }

  export interface AdvertModelSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface AdvertModelQuantizationFieldEvent {
    field: '$.quantization'
    value: string
  }

  export interface AdvertModelContextLengthFieldEvent {
    field: '$.contextLength'
    value: number
  }

  export interface AdvertModelLoadedFieldEvent {
    field: '$.loaded'
    value: boolean
  }

  export function encode (obj: Partial<AdvertModel>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AdvertModel.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AdvertModel>): AdvertModel {
    return decodeMessage(buf, AdvertModel.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AdvertModel>): Generator<AdvertModelNameFieldEvent | AdvertModelDigestFieldEvent | AdvertModelFamilyFieldEvent | AdvertModelSizeFieldEvent | AdvertModelQuantizationFieldEvent | AdvertModelContextLengthFieldEvent | AdvertModelLoadedFieldEvent> {
    return streamMessage(buf, AdvertModel.codec(), opts)
  }
}

export interface SignedAdvert {
  advert: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace SignedAdvert {
  let _codec: Codec<SignedAdvert>

  export const codec = (): Codec<SignedAdvert> => {
    if (_codec == null) {
      _codec = message<SignedAdvert>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.advert != null && obj.advert.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.advert)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          advert: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.advert = reader.bytes()
              break
            }
            case 2: {
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
                field: `${prefix}.advert`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
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

  export interface SignedAdvertAdvertFieldEvent {
    field: '$.advert'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedAdvertSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SignedAdvert>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignedAdvert.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedAdvert>): SignedAdvert {
    return decodeMessage(buf, SignedAdvert.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedAdvert>): Generator<SignedAdvertAdvertFieldEvent | SignedAdvertSignatureFieldEvent> {
    return streamMessage(buf, SignedAdvert.codec(), opts)
  }
}

export interface ChatMessage {
  role: string
  content: string
}

export namespace ChatMessage {
  let _codec: Codec<ChatMessage>

  export const codec = (): Codec<ChatMessage> => {
    if (_codec == null) {
      _codec = message<ChatMessage>((obj, w, opts = {}) => {
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

  export interface ChatMessageRoleFieldEvent {
    field: '$.role'
    value: string
  }

  export interface ChatMessageContentFieldEvent {
    field: '$.content'
    value: string
  }

  export function encode (obj: Partial<ChatMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ChatMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChatMessage>): ChatMessage {
    return decodeMessage(buf, ChatMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChatMessage>): Generator<ChatMessageRoleFieldEvent | ChatMessageContentFieldEvent> {
    return streamMessage(buf, ChatMessage.codec(), opts)
  }
}

export interface TaskRequest {
  version: number
  id: string
  model: string
  provider: string
  messages: ChatMessage[]
  maxTokens: number
  temperature: number
  residency: string
  deadline: bigint
}

export namespace TaskRequest {
  let _codec: Codec<TaskRequest>

  export const codec = (): Codec<TaskRequest> => {
    if (_codec == null) {
      _codec = message<TaskRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(18)
          w.string(obj.id)
        }

        if ((obj.model != null && obj.model !== '')) {
          w.uint32(26)
          w.string(obj.model)
        }

        if ((obj.provider != null && obj.provider !== '')) {
          w.uint32(34)
          w.string(obj.provider)
        }

        if (obj.messages != null && obj.messages.length > 0) {
          for (const value of obj.messages) {
            w.uint32(42)
            ChatMessage.codec().encode(value, w)
          }
        }

        if ((obj.maxTokens != null && obj.maxTokens !== 0)) {
          w.uint32(48)
          w.uint32(obj.maxTokens)
        }

        if ((obj.temperature != null && obj.temperature !== 0)) {
          w.uint32(61)
          w.float(obj.temperature)
        }

        if ((obj.residency != null && obj.residency !== '')) {
          w.uint32(66)
          w.string(obj.residency)
        }

        if ((obj.deadline != null && obj.deadline !== 0n)) {
          w.uint32(72)
          w.uint64(obj.deadline)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          id: '',
          model: '',
          provider: '',
          messages: [],
          maxTokens: 0,
          temperature: 0,
          residency: '',
          deadline: 0n
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
              obj.id = reader.string()
              break
            }
            case 3: {
              obj.model = reader.string()
              break
            }
            case 4: {
              obj.provider = reader.string()
              break
            }
            case 5: {
              if (opts.limits?.messages != null && obj.messages.length === opts.limits.messages) {
                throw new MaxLengthError('Decode error - repeated field "messages" had too many elements')
              }

              obj.messages.push(ChatMessage.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.messages$
              }))
              break
            }
            case 6: {
              obj.maxTokens = reader.uint32()
              break
            }
            case 7: {
              obj.temperature = reader.float()
              break
            }
            case 8: {
              obj.residency = reader.string()
              break
            }
            case 9: {
              obj.deadline = reader.uint64()
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
              yield {
                field: `${prefix}.id`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.model`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.provider`,
                value: reader.string()
              }
              break
            }
            case 5: {
              if (opts.limits?.messages != null && obj.messages === opts.limits.messages) {
                throw new MaxLengthError('Streaming decode error - repeated field "messages" had too many elements')
              }

              for (const evt of ChatMessage.codec().stream(reader, reader.uint32(), `${prefix}.messages[]`, {
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
            case 6: {
              yield {
                field: `${prefix}.maxTokens`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.temperature`,
                value: reader.float()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.residency`,
                value: reader.string()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.deadline`,
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

  export interface TaskRequestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface TaskRequestIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface TaskRequestModelFieldEvent {
    field: '$.model'
    value: string
  }

  export interface TaskRequestProviderFieldEvent {
    field: '$.provider'
    value: string
  }

  export interface TaskRequestMessagesRoleFieldEvent {
    field: '$.messages[].role'
    value: string
    index: number
  }

  export interface TaskRequestMessagesContentFieldEvent {
    field: '$.messages[].content'
    value: string
    index: number
  }

  export interface TaskRequestMaxTokensFieldEvent {
    field: '$.maxTokens'
    value: number
  }

  export interface TaskRequestTemperatureFieldEvent {
    field: '$.temperature'
    value: number
  }

  export interface TaskRequestResidencyFieldEvent {
    field: '$.residency'
    value: string
  }

  export interface TaskRequestDeadlineFieldEvent {
    field: '$.deadline'
    value: bigint
  }

  export function encode (obj: Partial<TaskRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskRequest>): TaskRequest {
    return decodeMessage(buf, TaskRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskRequest>): Generator<TaskRequestVersionFieldEvent | TaskRequestIdFieldEvent | TaskRequestModelFieldEvent | TaskRequestProviderFieldEvent | TaskRequestMessagesRoleFieldEvent | TaskRequestMessagesContentFieldEvent | TaskRequestMaxTokensFieldEvent | TaskRequestTemperatureFieldEvent | TaskRequestResidencyFieldEvent | TaskRequestDeadlineFieldEvent> {
    return streamMessage(buf, TaskRequest.codec(), opts)
  }
}

export interface TaskFrame {
  text: string
  done?: TaskDone
  error?: TaskError
}

export namespace TaskFrame {
  let _codec: Codec<TaskFrame>

  export const codec = (): Codec<TaskFrame> => {
    if (_codec == null) {
      _codec = message<TaskFrame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.text != null && obj.text !== '')) {
          w.uint32(10)
          w.string(obj.text)
        }

        if (obj.done != null) {
          w.uint32(18)
          TaskDone.codec().encode(obj.done, w)
        }

        if (obj.error != null) {
          w.uint32(26)
          TaskError.codec().encode(obj.error, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          text: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.text = reader.string()
              break
            }
            case 2: {
              obj.done = TaskDone.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.done
              })
              break
            }
            case 3: {
              obj.error = TaskError.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.error
              })
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
                field: `${prefix}.text`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield * TaskDone.codec().stream(reader, reader.uint32(), `${prefix}.done`, {
                limits: opts.limits?.done
              })

              break
            }
            case 3: {
              yield * TaskError.codec().stream(reader, reader.uint32(), `${prefix}.error`, {
                limits: opts.limits?.error
              })

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

  export interface TaskFrameTextFieldEvent {
    field: '$.text'
    value: string
  }

  export interface TaskFrameDonePeerFieldEvent {
    field: '$.done.peer'
    value: string
  }

  export interface TaskFrameDoneProviderFieldEvent {
    field: '$.done.provider'
    value: string
  }

  export interface TaskFrameDoneModelFieldEvent {
    field: '$.done.model'
    value: string
  }

  export interface TaskFrameDoneDigestFieldEvent {
    field: '$.done.digest'
    value: string
  }

  export interface TaskFrameDoneTierFieldEvent {
    field: '$.done.tier'
    value: string
  }

  export interface TaskFrameDoneFinishReasonFieldEvent {
    field: '$.done.finishReason'
    value: string
  }

  export interface TaskFrameDoneInputTokensFieldEvent {
    field: '$.done.inputTokens'
    value: number
  }

  export interface TaskFrameDoneOutputTokensFieldEvent {
    field: '$.done.outputTokens'
    value: number
  }

  export interface TaskFrameDoneFirstTokenMsFieldEvent {
    field: '$.done.firstTokenMs'
    value: number
  }

  export interface TaskFrameDoneTotalMsFieldEvent {
    field: '$.done.totalMs'
    value: number
  }

  export interface TaskFrameErrorCodeFieldEvent {
    field: '$.error.code'
    value: string
  }

  export interface TaskFrameErrorMessageFieldEvent {
    field: '$.error.message'
    value: string
  }

  export interface TaskFrameErrorRetryAfterMsFieldEvent {
    field: '$.error.retryAfterMs'
    value: number
  }

  export function encode (obj: Partial<TaskFrame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskFrame.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskFrame>): TaskFrame {
    return decodeMessage(buf, TaskFrame.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskFrame>): Generator<TaskFrameTextFieldEvent | TaskFrameDonePeerFieldEvent | TaskFrameDoneProviderFieldEvent | TaskFrameDoneModelFieldEvent | TaskFrameDoneDigestFieldEvent | TaskFrameDoneTierFieldEvent | TaskFrameDoneFinishReasonFieldEvent | TaskFrameDoneInputTokensFieldEvent | TaskFrameDoneOutputTokensFieldEvent | TaskFrameDoneFirstTokenMsFieldEvent | TaskFrameDoneTotalMsFieldEvent | TaskFrameErrorCodeFieldEvent | TaskFrameErrorMessageFieldEvent | TaskFrameErrorRetryAfterMsFieldEvent> {
    return streamMessage(buf, TaskFrame.codec(), opts)
  }
}

export interface TaskDone {
  peer: string
  provider: string
  model: string
  digest: string
  tier: string
  finishReason: string
  inputTokens: number
  outputTokens: number
  firstTokenMs: number
  totalMs: number
}

export namespace TaskDone {
  let _codec: Codec<TaskDone>

  export const codec = (): Codec<TaskDone> => {
    if (_codec == null) {
      _codec = message<TaskDone>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peer != null && obj.peer !== '')) {
          w.uint32(10)
          w.string(obj.peer)
        }

        if ((obj.provider != null && obj.provider !== '')) {
          w.uint32(18)
          w.string(obj.provider)
        }

        if ((obj.model != null && obj.model !== '')) {
          w.uint32(26)
          w.string(obj.model)
        }

        if ((obj.digest != null && obj.digest !== '')) {
          w.uint32(34)
          w.string(obj.digest)
        }

        if ((obj.tier != null && obj.tier !== '')) {
          w.uint32(42)
          w.string(obj.tier)
        }

        if ((obj.finishReason != null && obj.finishReason !== '')) {
          w.uint32(50)
          w.string(obj.finishReason)
        }

        if ((obj.inputTokens != null && obj.inputTokens !== 0)) {
          w.uint32(56)
          w.uint32(obj.inputTokens)
        }

        if ((obj.outputTokens != null && obj.outputTokens !== 0)) {
          w.uint32(64)
          w.uint32(obj.outputTokens)
        }

        if ((obj.firstTokenMs != null && obj.firstTokenMs !== 0)) {
          w.uint32(77)
          w.float(obj.firstTokenMs)
        }

        if ((obj.totalMs != null && obj.totalMs !== 0)) {
          w.uint32(85)
          w.float(obj.totalMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peer: '',
          provider: '',
          model: '',
          digest: '',
          tier: '',
          finishReason: '',
          inputTokens: 0,
          outputTokens: 0,
          firstTokenMs: 0,
          totalMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peer = reader.string()
              break
            }
            case 2: {
              obj.provider = reader.string()
              break
            }
            case 3: {
              obj.model = reader.string()
              break
            }
            case 4: {
              obj.digest = reader.string()
              break
            }
            case 5: {
              obj.tier = reader.string()
              break
            }
            case 6: {
              obj.finishReason = reader.string()
              break
            }
            case 7: {
              obj.inputTokens = reader.uint32()
              break
            }
            case 8: {
              obj.outputTokens = reader.uint32()
              break
            }
            case 9: {
              obj.firstTokenMs = reader.float()
              break
            }
            case 10: {
              obj.totalMs = reader.float()
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
                field: `${prefix}.peer`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.provider`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.model`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.digest`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.tier`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.finishReason`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.inputTokens`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.outputTokens`,
                value: reader.uint32()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.firstTokenMs`,
                value: reader.float()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.totalMs`,
                value: reader.float()
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

  export interface TaskDonePeerFieldEvent {
    field: '$.peer'
    value: string
  }

  export interface TaskDoneProviderFieldEvent {
    field: '$.provider'
    value: string
  }

  export interface TaskDoneModelFieldEvent {
    field: '$.model'
    value: string
  }

  export interface TaskDoneDigestFieldEvent {
    field: '$.digest'
    value: string
  }

  export interface TaskDoneTierFieldEvent {
    field: '$.tier'
    value: string
  }

  export interface TaskDoneFinishReasonFieldEvent {
    field: '$.finishReason'
    value: string
  }

  export interface TaskDoneInputTokensFieldEvent {
    field: '$.inputTokens'
    value: number
  }

  export interface TaskDoneOutputTokensFieldEvent {
    field: '$.outputTokens'
    value: number
  }

  export interface TaskDoneFirstTokenMsFieldEvent {
    field: '$.firstTokenMs'
    value: number
  }

  export interface TaskDoneTotalMsFieldEvent {
    field: '$.totalMs'
    value: number
  }

  export function encode (obj: Partial<TaskDone>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskDone.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskDone>): TaskDone {
    return decodeMessage(buf, TaskDone.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskDone>): Generator<TaskDonePeerFieldEvent | TaskDoneProviderFieldEvent | TaskDoneModelFieldEvent | TaskDoneDigestFieldEvent | TaskDoneTierFieldEvent | TaskDoneFinishReasonFieldEvent | TaskDoneInputTokensFieldEvent | TaskDoneOutputTokensFieldEvent | TaskDoneFirstTokenMsFieldEvent | TaskDoneTotalMsFieldEvent> {
    return streamMessage(buf, TaskDone.codec(), opts)
  }
}

export interface TaskError {
  code: string
  message: string
  retryAfterMs: number
}

export namespace TaskError {
  let _codec: Codec<TaskError>

  export const codec = (): Codec<TaskError> => {
    if (_codec == null) {
      _codec = message<TaskError>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.code != null && obj.code !== '')) {
          w.uint32(10)
          w.string(obj.code)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(18)
          w.string(obj.message)
        }

        if ((obj.retryAfterMs != null && obj.retryAfterMs !== 0)) {
          w.uint32(24)
          w.uint32(obj.retryAfterMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          code: '',
          message: '',
          retryAfterMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.code = reader.string()
              break
            }
            case 2: {
              obj.message = reader.string()
              break
            }
            case 3: {
              obj.retryAfterMs = reader.uint32()
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
                field: `${prefix}.code`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.retryAfterMs`,
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

  export interface TaskErrorCodeFieldEvent {
    field: '$.code'
    value: string
  }

  export interface TaskErrorMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface TaskErrorRetryAfterMsFieldEvent {
    field: '$.retryAfterMs'
    value: number
  }

  export function encode (obj: Partial<TaskError>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskError.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskError>): TaskError {
    return decodeMessage(buf, TaskError.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskError>): Generator<TaskErrorCodeFieldEvent | TaskErrorMessageFieldEvent | TaskErrorRetryAfterMsFieldEvent> {
    return streamMessage(buf, TaskError.codec(), opts)
  }
}
