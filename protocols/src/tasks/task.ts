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
  protocols: string[]
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

        if (obj.protocols != null && obj.protocols.length > 0) {
          for (const value of obj.protocols) {
            w.uint32(66)
            w.string(value)
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
          providers: [],
          protocols: []
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
            case 8: {
              if (opts.limits?.protocols != null && obj.protocols.length === opts.limits.protocols) {
                throw new MaxLengthError('Decode error - repeated field "protocols" had too many elements')
              }

              obj.protocols.push(reader.string())
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
          providers: 0,
          protocols: 0
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
            case 8: {
              if (opts.limits?.protocols != null && obj.protocols === opts.limits.protocols) {
                throw new MaxLengthError('Streaming decode error - repeated field "protocols" had too many elements')
              }

              yield {
                field: `${prefix}.protocols[]`,
                index: obj.protocols,
                value: reader.string()
              }

              obj.protocols++

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

  export interface AdvertProvidersModelsCapabilitiesFieldEvent {
    field: '$.providers[].models[].capabilities[]'
    index: number
    value: string
  }

  export interface AdvertProvidersModelsParametersFieldEvent {
    field: '$.providers[].models[].parameters'
    value: number
    index: number
  }

  export interface AdvertProvidersModelsEmbeddingLengthFieldEvent {
    field: '$.providers[].models[].embeddingLength'
    value: number
    index: number
  }

  export interface AdvertProvidersModelsChatTemplateFieldEvent {
    field: '$.providers[].models[].chatTemplate'
    value: boolean
    index: number
  }

  export interface AdvertProtocolsFieldEvent {
    field: '$.protocols[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<Advert>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Advert.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Advert>): Advert {
    return decodeMessage(buf, Advert.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Advert>): Generator<AdvertVersionFieldEvent | AdvertPeerFieldEvent | AdvertIssuedAtFieldEvent | AdvertExpiresAtFieldEvent | AdvertQueueFieldEvent | AdvertConcurrencyFieldEvent | AdvertProvidersNameFieldEvent | AdvertProvidersKindFieldEvent | AdvertProvidersTierFieldEvent | AdvertProvidersCooldownUntilFieldEvent | AdvertProvidersTokensPerSFieldEvent | AdvertProvidersModelsNameFieldEvent | AdvertProvidersModelsDigestFieldEvent | AdvertProvidersModelsFamilyFieldEvent | AdvertProvidersModelsSizeFieldEvent | AdvertProvidersModelsQuantizationFieldEvent | AdvertProvidersModelsContextLengthFieldEvent | AdvertProvidersModelsLoadedFieldEvent | AdvertProvidersModelsCapabilitiesFieldEvent | AdvertProvidersModelsParametersFieldEvent | AdvertProvidersModelsEmbeddingLengthFieldEvent | AdvertProvidersModelsChatTemplateFieldEvent | AdvertProtocolsFieldEvent> {
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

  export interface AdvertProviderModelsCapabilitiesFieldEvent {
    field: '$.models[].capabilities[]'
    index: number
    value: string
  }

  export interface AdvertProviderModelsParametersFieldEvent {
    field: '$.models[].parameters'
    value: number
    index: number
  }

  export interface AdvertProviderModelsEmbeddingLengthFieldEvent {
    field: '$.models[].embeddingLength'
    value: number
    index: number
  }

  export interface AdvertProviderModelsChatTemplateFieldEvent {
    field: '$.models[].chatTemplate'
    value: boolean
    index: number
  }

  export function encode (obj: Partial<AdvertProvider>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AdvertProvider.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AdvertProvider>): AdvertProvider {
    return decodeMessage(buf, AdvertProvider.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AdvertProvider>): Generator<AdvertProviderNameFieldEvent | AdvertProviderKindFieldEvent | AdvertProviderTierFieldEvent | AdvertProviderCooldownUntilFieldEvent | AdvertProviderTokensPerSFieldEvent | AdvertProviderModelsNameFieldEvent | AdvertProviderModelsDigestFieldEvent | AdvertProviderModelsFamilyFieldEvent | AdvertProviderModelsSizeFieldEvent | AdvertProviderModelsQuantizationFieldEvent | AdvertProviderModelsContextLengthFieldEvent | AdvertProviderModelsLoadedFieldEvent | AdvertProviderModelsCapabilitiesFieldEvent | AdvertProviderModelsParametersFieldEvent | AdvertProviderModelsEmbeddingLengthFieldEvent | AdvertProviderModelsChatTemplateFieldEvent> {
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
  capabilities: string[]
  parameters: number
  embeddingLength: number
  chatTemplate: boolean
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

        if (obj.capabilities != null && obj.capabilities.length > 0) {
          for (const value of obj.capabilities) {
            w.uint32(66)
            w.string(value)
          }
        }

        if ((obj.parameters != null && obj.parameters !== 0)) {
          w.uint32(73)
          w.double(obj.parameters)
        }

        if ((obj.embeddingLength != null && obj.embeddingLength !== 0)) {
          w.uint32(80)
          w.uint32(obj.embeddingLength)
        }

        if ((obj.chatTemplate != null && obj.chatTemplate !== false)) {
          w.uint32(88)
          w.bool(obj.chatTemplate)
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
          loaded: false,
          capabilities: [],
          parameters: 0,
          embeddingLength: 0,
          chatTemplate: false
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
            case 8: {
              if (opts.limits?.capabilities != null && obj.capabilities.length === opts.limits.capabilities) {
                throw new MaxLengthError('Decode error - repeated field "capabilities" had too many elements')
              }

              obj.capabilities.push(reader.string())
              break
            }
            case 9: {
              obj.parameters = reader.double()
              break
            }
            case 10: {
              obj.embeddingLength = reader.uint32()
              break
            }
            case 11: {
              obj.chatTemplate = reader.bool()
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
          capabilities: 0
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
            case 8: {
              if (opts.limits?.capabilities != null && obj.capabilities === opts.limits.capabilities) {
                throw new MaxLengthError('Streaming decode error - repeated field "capabilities" had too many elements')
              }

              yield {
                field: `${prefix}.capabilities[]`,
                index: obj.capabilities,
                value: reader.string()
              }

              obj.capabilities++

              break
            }
            case 9: {
              yield {
                field: `${prefix}.parameters`,
                value: reader.double()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.embeddingLength`,
                value: reader.uint32()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.chatTemplate`,
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

  export interface AdvertModelCapabilitiesFieldEvent {
    field: '$.capabilities[]'
    index: number
    value: string
  }

  export interface AdvertModelParametersFieldEvent {
    field: '$.parameters'
    value: number
  }

  export interface AdvertModelEmbeddingLengthFieldEvent {
    field: '$.embeddingLength'
    value: number
  }

  export interface AdvertModelChatTemplateFieldEvent {
    field: '$.chatTemplate'
    value: boolean
  }

  export function encode (obj: Partial<AdvertModel>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AdvertModel.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AdvertModel>): AdvertModel {
    return decodeMessage(buf, AdvertModel.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AdvertModel>): Generator<AdvertModelNameFieldEvent | AdvertModelDigestFieldEvent | AdvertModelFamilyFieldEvent | AdvertModelSizeFieldEvent | AdvertModelQuantizationFieldEvent | AdvertModelContextLengthFieldEvent | AdvertModelLoadedFieldEvent | AdvertModelCapabilitiesFieldEvent | AdvertModelParametersFieldEvent | AdvertModelEmbeddingLengthFieldEvent | AdvertModelChatTemplateFieldEvent> {
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
  images: ImagePart[]
  toolCalls: ToolCall[]
  toolCallId: string
  name: string
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

        if (obj.images != null && obj.images.length > 0) {
          for (const value of obj.images) {
            w.uint32(26)
            ImagePart.codec().encode(value, w)
          }
        }

        if (obj.toolCalls != null && obj.toolCalls.length > 0) {
          for (const value of obj.toolCalls) {
            w.uint32(34)
            ToolCall.codec().encode(value, w)
          }
        }

        if ((obj.toolCallId != null && obj.toolCallId !== '')) {
          w.uint32(42)
          w.string(obj.toolCallId)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(50)
          w.string(obj.name)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          role: '',
          content: '',
          images: [],
          toolCalls: [],
          toolCallId: '',
          name: ''
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
            case 3: {
              if (opts.limits?.images != null && obj.images.length === opts.limits.images) {
                throw new MaxLengthError('Decode error - repeated field "images" had too many elements')
              }

              obj.images.push(ImagePart.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.images$
              }))
              break
            }
            case 4: {
              if (opts.limits?.toolCalls != null && obj.toolCalls.length === opts.limits.toolCalls) {
                throw new MaxLengthError('Decode error - repeated field "toolCalls" had too many elements')
              }

              obj.toolCalls.push(ToolCall.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.toolCalls$
              }))
              break
            }
            case 5: {
              obj.toolCallId = reader.string()
              break
            }
            case 6: {
              obj.name = reader.string()
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
          images: 0,
          toolCalls: 0
        }

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
            case 3: {
              if (opts.limits?.images != null && obj.images === opts.limits.images) {
                throw new MaxLengthError('Streaming decode error - repeated field "images" had too many elements')
              }

              for (const evt of ImagePart.codec().stream(reader, reader.uint32(), `${prefix}.images[]`, {
                limits: opts.limits?.images$
              })) {
                yield {
                  ...evt,
                  index: obj.images
                }
              }

              obj.images++

              break
            }
            case 4: {
              if (opts.limits?.toolCalls != null && obj.toolCalls === opts.limits.toolCalls) {
                throw new MaxLengthError('Streaming decode error - repeated field "toolCalls" had too many elements')
              }

              for (const evt of ToolCall.codec().stream(reader, reader.uint32(), `${prefix}.toolCalls[]`, {
                limits: opts.limits?.toolCalls$
              })) {
                yield {
                  ...evt,
                  index: obj.toolCalls
                }
              }

              obj.toolCalls++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.toolCallId`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.name`,
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

  export interface ChatMessageImagesMimeTypeFieldEvent {
    field: '$.images[].mimeType'
    value: string
    index: number
  }

  export interface ChatMessageImagesDataFieldEvent {
    field: '$.images[].data'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ChatMessageToolCallsIdFieldEvent {
    field: '$.toolCalls[].id'
    value: string
    index: number
  }

  export interface ChatMessageToolCallsNameFieldEvent {
    field: '$.toolCalls[].name'
    value: string
    index: number
  }

  export interface ChatMessageToolCallsArgumentsFieldEvent {
    field: '$.toolCalls[].arguments'
    value: string
    index: number
  }

  export interface ChatMessageToolCallsContinuedFieldEvent {
    field: '$.toolCalls[].continued'
    value: boolean
    index: number
  }

  export interface ChatMessageToolCallIdFieldEvent {
    field: '$.toolCallId'
    value: string
  }

  export interface ChatMessageNameFieldEvent {
    field: '$.name'
    value: string
  }

  export function encode (obj: Partial<ChatMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ChatMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChatMessage>): ChatMessage {
    return decodeMessage(buf, ChatMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChatMessage>): Generator<ChatMessageRoleFieldEvent | ChatMessageContentFieldEvent | ChatMessageImagesMimeTypeFieldEvent | ChatMessageImagesDataFieldEvent | ChatMessageToolCallsIdFieldEvent | ChatMessageToolCallsNameFieldEvent | ChatMessageToolCallsArgumentsFieldEvent | ChatMessageToolCallsContinuedFieldEvent | ChatMessageToolCallIdFieldEvent | ChatMessageNameFieldEvent> {
    return streamMessage(buf, ChatMessage.codec(), opts)
  }
}

export interface ImagePart {
  mimeType: string
  data: Uint8Array<ArrayBuffer>
}

export namespace ImagePart {
  let _codec: Codec<ImagePart>

  export const codec = (): Codec<ImagePart> => {
    if (_codec == null) {
      _codec = message<ImagePart>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.mimeType != null && obj.mimeType !== '')) {
          w.uint32(10)
          w.string(obj.mimeType)
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.data)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          mimeType: '',
          data: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.mimeType = reader.string()
              break
            }
            case 2: {
              obj.data = reader.bytes()
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
                field: `${prefix}.mimeType`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.data`,
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

  export interface ImagePartMimeTypeFieldEvent {
    field: '$.mimeType'
    value: string
  }

  export interface ImagePartDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ImagePart>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ImagePart.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ImagePart>): ImagePart {
    return decodeMessage(buf, ImagePart.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ImagePart>): Generator<ImagePartMimeTypeFieldEvent | ImagePartDataFieldEvent> {
    return streamMessage(buf, ImagePart.codec(), opts)
  }
}

export interface ToolCall {
  id: string
  name: string
  arguments: string
  continued: boolean
}

export namespace ToolCall {
  let _codec: Codec<ToolCall>

  export const codec = (): Codec<ToolCall> => {
    if (_codec == null) {
      _codec = message<ToolCall>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(18)
          w.string(obj.name)
        }

        if ((obj.arguments != null && obj.arguments !== '')) {
          w.uint32(26)
          w.string(obj.arguments)
        }

        if ((obj.continued != null && obj.continued !== false)) {
          w.uint32(32)
          w.bool(obj.continued)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          name: '',
          arguments: '',
          continued: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
              break
            }
            case 2: {
              obj.name = reader.string()
              break
            }
            case 3: {
              obj.arguments = reader.string()
              break
            }
            case 4: {
              obj.continued = reader.bool()
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
                field: `${prefix}.id`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.arguments`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.continued`,
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

  export interface ToolCallIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface ToolCallNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface ToolCallArgumentsFieldEvent {
    field: '$.arguments'
    value: string
  }

  export interface ToolCallContinuedFieldEvent {
    field: '$.continued'
    value: boolean
  }

  export function encode (obj: Partial<ToolCall>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ToolCall.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ToolCall>): ToolCall {
    return decodeMessage(buf, ToolCall.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ToolCall>): Generator<ToolCallIdFieldEvent | ToolCallNameFieldEvent | ToolCallArgumentsFieldEvent | ToolCallContinuedFieldEvent> {
    return streamMessage(buf, ToolCall.codec(), opts)
  }
}

export interface ToolDef {
  name: string
  description: string
  parameters: string
}

export namespace ToolDef {
  let _codec: Codec<ToolDef>

  export const codec = (): Codec<ToolDef> => {
    if (_codec == null) {
      _codec = message<ToolDef>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if ((obj.description != null && obj.description !== '')) {
          w.uint32(18)
          w.string(obj.description)
        }

        if ((obj.parameters != null && obj.parameters !== '')) {
          w.uint32(26)
          w.string(obj.parameters)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          description: '',
          parameters: ''
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
              obj.description = reader.string()
              break
            }
            case 3: {
              obj.parameters = reader.string()
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
                field: `${prefix}.description`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.parameters`,
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

  export interface ToolDefNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface ToolDefDescriptionFieldEvent {
    field: '$.description'
    value: string
  }

  export interface ToolDefParametersFieldEvent {
    field: '$.parameters'
    value: string
  }

  export function encode (obj: Partial<ToolDef>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ToolDef.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ToolDef>): ToolDef {
    return decodeMessage(buf, ToolDef.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ToolDef>): Generator<ToolDefNameFieldEvent | ToolDefDescriptionFieldEvent | ToolDefParametersFieldEvent> {
    return streamMessage(buf, ToolDef.codec(), opts)
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
  kind: string
  tools: ToolDef[]
  toolChoice: string
  format: string
  formatSchema: string
  formatName: string
  stop: string[]
  topP: number
  seed?: bigint
  options: string
  keepAlive: string
  inputs: string[]
  approvals: string[]
  onBehalfOf: string
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

        if ((obj.kind != null && obj.kind !== '')) {
          w.uint32(82)
          w.string(obj.kind)
        }

        if (obj.tools != null && obj.tools.length > 0) {
          for (const value of obj.tools) {
            w.uint32(90)
            ToolDef.codec().encode(value, w)
          }
        }

        if ((obj.toolChoice != null && obj.toolChoice !== '')) {
          w.uint32(98)
          w.string(obj.toolChoice)
        }

        if ((obj.format != null && obj.format !== '')) {
          w.uint32(106)
          w.string(obj.format)
        }

        if ((obj.formatSchema != null && obj.formatSchema !== '')) {
          w.uint32(114)
          w.string(obj.formatSchema)
        }

        if ((obj.formatName != null && obj.formatName !== '')) {
          w.uint32(146)
          w.string(obj.formatName)
        }

        if (obj.stop != null && obj.stop.length > 0) {
          for (const value of obj.stop) {
            w.uint32(122)
            w.string(value)
          }
        }

        if ((obj.topP != null && obj.topP !== 0)) {
          w.uint32(133)
          w.float(obj.topP)
        }

        if (obj.seed != null) {
          w.uint32(136)
          w.int64(obj.seed)
        }

        if ((obj.options != null && obj.options !== '')) {
          w.uint32(154)
          w.string(obj.options)
        }

        if ((obj.keepAlive != null && obj.keepAlive !== '')) {
          w.uint32(162)
          w.string(obj.keepAlive)
        }

        if (obj.inputs != null && obj.inputs.length > 0) {
          for (const value of obj.inputs) {
            w.uint32(170)
            w.string(value)
          }
        }

        if (obj.approvals != null && obj.approvals.length > 0) {
          for (const value of obj.approvals) {
            w.uint32(178)
            w.string(value)
          }
        }

        if ((obj.onBehalfOf != null && obj.onBehalfOf !== '')) {
          w.uint32(186)
          w.string(obj.onBehalfOf)
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
          deadline: 0n,
          kind: '',
          tools: [],
          toolChoice: '',
          format: '',
          formatSchema: '',
          formatName: '',
          stop: [],
          topP: 0,
          options: '',
          keepAlive: '',
          inputs: [],
          approvals: [],
          onBehalfOf: ''
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
            case 10: {
              obj.kind = reader.string()
              break
            }
            case 11: {
              if (opts.limits?.tools != null && obj.tools.length === opts.limits.tools) {
                throw new MaxLengthError('Decode error - repeated field "tools" had too many elements')
              }

              obj.tools.push(ToolDef.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.tools$
              }))
              break
            }
            case 12: {
              obj.toolChoice = reader.string()
              break
            }
            case 13: {
              obj.format = reader.string()
              break
            }
            case 14: {
              obj.formatSchema = reader.string()
              break
            }
            case 18: {
              obj.formatName = reader.string()
              break
            }
            case 15: {
              if (opts.limits?.stop != null && obj.stop.length === opts.limits.stop) {
                throw new MaxLengthError('Decode error - repeated field "stop" had too many elements')
              }

              obj.stop.push(reader.string())
              break
            }
            case 16: {
              obj.topP = reader.float()
              break
            }
            case 17: {
              obj.seed = reader.int64()
              break
            }
            case 19: {
              obj.options = reader.string()
              break
            }
            case 20: {
              obj.keepAlive = reader.string()
              break
            }
            case 21: {
              if (opts.limits?.inputs != null && obj.inputs.length === opts.limits.inputs) {
                throw new MaxLengthError('Decode error - repeated field "inputs" had too many elements')
              }

              obj.inputs.push(reader.string())
              break
            }
            case 22: {
              if (opts.limits?.approvals != null && obj.approvals.length === opts.limits.approvals) {
                throw new MaxLengthError('Decode error - repeated field "approvals" had too many elements')
              }

              obj.approvals.push(reader.string())
              break
            }
            case 23: {
              obj.onBehalfOf = reader.string()
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
          messages: 0,
          tools: 0,
          stop: 0,
          inputs: 0,
          approvals: 0
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
            case 10: {
              yield {
                field: `${prefix}.kind`,
                value: reader.string()
              }
              break
            }
            case 11: {
              if (opts.limits?.tools != null && obj.tools === opts.limits.tools) {
                throw new MaxLengthError('Streaming decode error - repeated field "tools" had too many elements')
              }

              for (const evt of ToolDef.codec().stream(reader, reader.uint32(), `${prefix}.tools[]`, {
                limits: opts.limits?.tools$
              })) {
                yield {
                  ...evt,
                  index: obj.tools
                }
              }

              obj.tools++

              break
            }
            case 12: {
              yield {
                field: `${prefix}.toolChoice`,
                value: reader.string()
              }
              break
            }
            case 13: {
              yield {
                field: `${prefix}.format`,
                value: reader.string()
              }
              break
            }
            case 14: {
              yield {
                field: `${prefix}.formatSchema`,
                value: reader.string()
              }
              break
            }
            case 18: {
              yield {
                field: `${prefix}.formatName`,
                value: reader.string()
              }
              break
            }
            case 15: {
              if (opts.limits?.stop != null && obj.stop === opts.limits.stop) {
                throw new MaxLengthError('Streaming decode error - repeated field "stop" had too many elements')
              }

              yield {
                field: `${prefix}.stop[]`,
                index: obj.stop,
                value: reader.string()
              }

              obj.stop++

              break
            }
            case 16: {
              yield {
                field: `${prefix}.topP`,
                value: reader.float()
              }
              break
            }
            case 17: {
              yield {
                field: `${prefix}.seed`,
                value: reader.int64()
              }
              break
            }
            case 19: {
              yield {
                field: `${prefix}.options`,
                value: reader.string()
              }
              break
            }
            case 20: {
              yield {
                field: `${prefix}.keepAlive`,
                value: reader.string()
              }
              break
            }
            case 21: {
              if (opts.limits?.inputs != null && obj.inputs === opts.limits.inputs) {
                throw new MaxLengthError('Streaming decode error - repeated field "inputs" had too many elements')
              }

              yield {
                field: `${prefix}.inputs[]`,
                index: obj.inputs,
                value: reader.string()
              }

              obj.inputs++

              break
            }
            case 22: {
              if (opts.limits?.approvals != null && obj.approvals === opts.limits.approvals) {
                throw new MaxLengthError('Streaming decode error - repeated field "approvals" had too many elements')
              }

              yield {
                field: `${prefix}.approvals[]`,
                index: obj.approvals,
                value: reader.string()
              }

              obj.approvals++

              break
            }
            case 23: {
              yield {
                field: `${prefix}.onBehalfOf`,
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

  export interface TaskRequestMessagesImagesMimeTypeFieldEvent {
    field: '$.messages[].images[].mimeType'
    value: string
    index: number
  }

  export interface TaskRequestMessagesImagesDataFieldEvent {
    field: '$.messages[].images[].data'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface TaskRequestMessagesToolCallsIdFieldEvent {
    field: '$.messages[].toolCalls[].id'
    value: string
    index: number
  }

  export interface TaskRequestMessagesToolCallsNameFieldEvent {
    field: '$.messages[].toolCalls[].name'
    value: string
    index: number
  }

  export interface TaskRequestMessagesToolCallsArgumentsFieldEvent {
    field: '$.messages[].toolCalls[].arguments'
    value: string
    index: number
  }

  export interface TaskRequestMessagesToolCallsContinuedFieldEvent {
    field: '$.messages[].toolCalls[].continued'
    value: boolean
    index: number
  }

  export interface TaskRequestMessagesToolCallIdFieldEvent {
    field: '$.messages[].toolCallId'
    value: string
    index: number
  }

  export interface TaskRequestMessagesNameFieldEvent {
    field: '$.messages[].name'
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

  export interface TaskRequestKindFieldEvent {
    field: '$.kind'
    value: string
  }

  export interface TaskRequestToolsNameFieldEvent {
    field: '$.tools[].name'
    value: string
    index: number
  }

  export interface TaskRequestToolsDescriptionFieldEvent {
    field: '$.tools[].description'
    value: string
    index: number
  }

  export interface TaskRequestToolsParametersFieldEvent {
    field: '$.tools[].parameters'
    value: string
    index: number
  }

  export interface TaskRequestToolChoiceFieldEvent {
    field: '$.toolChoice'
    value: string
  }

  export interface TaskRequestFormatFieldEvent {
    field: '$.format'
    value: string
  }

  export interface TaskRequestFormatSchemaFieldEvent {
    field: '$.formatSchema'
    value: string
  }

  export interface TaskRequestFormatNameFieldEvent {
    field: '$.formatName'
    value: string
  }

  export interface TaskRequestStopFieldEvent {
    field: '$.stop[]'
    index: number
    value: string
  }

  export interface TaskRequestTopPFieldEvent {
    field: '$.topP'
    value: number
  }

  export interface TaskRequestSeedFieldEvent {
    field: '$.seed'
    value: bigint
  }

  export interface TaskRequestOptionsFieldEvent {
    field: '$.options'
    value: string
  }

  export interface TaskRequestKeepAliveFieldEvent {
    field: '$.keepAlive'
    value: string
  }

  export interface TaskRequestInputsFieldEvent {
    field: '$.inputs[]'
    index: number
    value: string
  }

  export interface TaskRequestApprovalsFieldEvent {
    field: '$.approvals[]'
    index: number
    value: string
  }

  export interface TaskRequestOnBehalfOfFieldEvent {
    field: '$.onBehalfOf'
    value: string
  }

  export function encode (obj: Partial<TaskRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskRequest>): TaskRequest {
    return decodeMessage(buf, TaskRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskRequest>): Generator<TaskRequestVersionFieldEvent | TaskRequestIdFieldEvent | TaskRequestModelFieldEvent | TaskRequestProviderFieldEvent | TaskRequestMessagesRoleFieldEvent | TaskRequestMessagesContentFieldEvent | TaskRequestMessagesImagesMimeTypeFieldEvent | TaskRequestMessagesImagesDataFieldEvent | TaskRequestMessagesToolCallsIdFieldEvent | TaskRequestMessagesToolCallsNameFieldEvent | TaskRequestMessagesToolCallsArgumentsFieldEvent | TaskRequestMessagesToolCallsContinuedFieldEvent | TaskRequestMessagesToolCallIdFieldEvent | TaskRequestMessagesNameFieldEvent | TaskRequestMaxTokensFieldEvent | TaskRequestTemperatureFieldEvent | TaskRequestResidencyFieldEvent | TaskRequestDeadlineFieldEvent | TaskRequestKindFieldEvent | TaskRequestToolsNameFieldEvent | TaskRequestToolsDescriptionFieldEvent | TaskRequestToolsParametersFieldEvent | TaskRequestToolChoiceFieldEvent | TaskRequestFormatFieldEvent | TaskRequestFormatSchemaFieldEvent | TaskRequestFormatNameFieldEvent | TaskRequestStopFieldEvent | TaskRequestTopPFieldEvent | TaskRequestSeedFieldEvent | TaskRequestOptionsFieldEvent | TaskRequestKeepAliveFieldEvent | TaskRequestInputsFieldEvent | TaskRequestApprovalsFieldEvent | TaskRequestOnBehalfOfFieldEvent> {
    return streamMessage(buf, TaskRequest.codec(), opts)
  }
}

export interface TaskFrame {
  text: string
  done?: TaskDone
  error?: TaskError
  toolCall?: ToolCall
  embedding?: Embedding
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

        if (obj.toolCall != null) {
          w.uint32(34)
          ToolCall.codec().encode(obj.toolCall, w)
        }

        if (obj.embedding != null) {
          w.uint32(42)
          Embedding.codec().encode(obj.embedding, w)
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
            case 4: {
              obj.toolCall = ToolCall.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.toolCall
              })
              break
            }
            case 5: {
              obj.embedding = Embedding.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.embedding
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
            case 4: {
              yield * ToolCall.codec().stream(reader, reader.uint32(), `${prefix}.toolCall`, {
                limits: opts.limits?.toolCall
              })

              break
            }
            case 5: {
              yield * Embedding.codec().stream(reader, reader.uint32(), `${prefix}.embedding`, {
                limits: opts.limits?.embedding
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

  export interface TaskFrameDoneStopSequenceFieldEvent {
    field: '$.done.stopSequence'
    value: string
  }

  export interface TaskFrameDoneReceiptFieldEvent {
    field: '$.done.receipt'
    value: Uint8Array<ArrayBuffer>
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

  export interface TaskFrameToolCallIdFieldEvent {
    field: '$.toolCall.id'
    value: string
  }

  export interface TaskFrameToolCallNameFieldEvent {
    field: '$.toolCall.name'
    value: string
  }

  export interface TaskFrameToolCallArgumentsFieldEvent {
    field: '$.toolCall.arguments'
    value: string
  }

  export interface TaskFrameToolCallContinuedFieldEvent {
    field: '$.toolCall.continued'
    value: boolean
  }

  export interface TaskFrameEmbeddingIndexFieldEvent {
    field: '$.embedding.index'
    value: number
  }

  export interface TaskFrameEmbeddingValuesFieldEvent {
    field: '$.embedding.values[]'
    index: number
    value: number
  }

  export function encode (obj: Partial<TaskFrame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskFrame.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskFrame>): TaskFrame {
    return decodeMessage(buf, TaskFrame.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskFrame>): Generator<TaskFrameTextFieldEvent | TaskFrameDonePeerFieldEvent | TaskFrameDoneProviderFieldEvent | TaskFrameDoneModelFieldEvent | TaskFrameDoneDigestFieldEvent | TaskFrameDoneTierFieldEvent | TaskFrameDoneFinishReasonFieldEvent | TaskFrameDoneInputTokensFieldEvent | TaskFrameDoneOutputTokensFieldEvent | TaskFrameDoneFirstTokenMsFieldEvent | TaskFrameDoneTotalMsFieldEvent | TaskFrameDoneStopSequenceFieldEvent | TaskFrameDoneReceiptFieldEvent | TaskFrameErrorCodeFieldEvent | TaskFrameErrorMessageFieldEvent | TaskFrameErrorRetryAfterMsFieldEvent | TaskFrameToolCallIdFieldEvent | TaskFrameToolCallNameFieldEvent | TaskFrameToolCallArgumentsFieldEvent | TaskFrameToolCallContinuedFieldEvent | TaskFrameEmbeddingIndexFieldEvent | TaskFrameEmbeddingValuesFieldEvent> {
    return streamMessage(buf, TaskFrame.codec(), opts)
  }
}

export interface Embedding {
  index: number
  values: number[]
}

export namespace Embedding {
  let _codec: Codec<Embedding>

  export const codec = (): Codec<Embedding> => {
    if (_codec == null) {
      _codec = message<Embedding>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint32(obj.index)
        }

        if (obj.values != null && obj.values.length > 0) {
          for (const value of obj.values) {
            w.uint32(21)
            w.float(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0,
          values: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint32()
              break
            }
            case 2: {
              if (opts.limits?.values != null && obj.values.length === opts.limits.values) {
                throw new MaxLengthError('Decode error - repeated field "values" had too many elements')
              }

              obj.values.push(reader.float())
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
          values: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.index`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              if (opts.limits?.values != null && obj.values === opts.limits.values) {
                throw new MaxLengthError('Streaming decode error - repeated field "values" had too many elements')
              }

              yield {
                field: `${prefix}.values[]`,
                index: obj.values,
                value: reader.float()
              }

              obj.values++

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

  export interface EmbeddingIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export interface EmbeddingValuesFieldEvent {
    field: '$.values[]'
    index: number
    value: number
  }

  export function encode (obj: Partial<Embedding>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Embedding.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Embedding>): Embedding {
    return decodeMessage(buf, Embedding.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Embedding>): Generator<EmbeddingIndexFieldEvent | EmbeddingValuesFieldEvent> {
    return streamMessage(buf, Embedding.codec(), opts)
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
  stopSequence: string
  receipt: Uint8Array<ArrayBuffer>
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

        if ((obj.stopSequence != null && obj.stopSequence !== '')) {
          w.uint32(90)
          w.string(obj.stopSequence)
        }

        if ((obj.receipt != null && obj.receipt.byteLength > 0)) {
          w.uint32(98)
          w.bytes(obj.receipt)
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
          totalMs: 0,
          stopSequence: '',
          receipt: uint8ArrayAlloc(0)
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
            case 11: {
              obj.stopSequence = reader.string()
              break
            }
            case 12: {
              obj.receipt = reader.bytes()
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
            case 11: {
              yield {
                field: `${prefix}.stopSequence`,
                value: reader.string()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.receipt`,
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

  export interface TaskDoneStopSequenceFieldEvent {
    field: '$.stopSequence'
    value: string
  }

  export interface TaskDoneReceiptFieldEvent {
    field: '$.receipt'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<TaskDone>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskDone.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskDone>): TaskDone {
    return decodeMessage(buf, TaskDone.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskDone>): Generator<TaskDonePeerFieldEvent | TaskDoneProviderFieldEvent | TaskDoneModelFieldEvent | TaskDoneDigestFieldEvent | TaskDoneTierFieldEvent | TaskDoneFinishReasonFieldEvent | TaskDoneInputTokensFieldEvent | TaskDoneOutputTokensFieldEvent | TaskDoneFirstTokenMsFieldEvent | TaskDoneTotalMsFieldEvent | TaskDoneStopSequenceFieldEvent | TaskDoneReceiptFieldEvent> {
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
