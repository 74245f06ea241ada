import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface SignedPresence {
  presence: Uint8Array<ArrayBuffer>
  publicKey: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace SignedPresence {
  let _codec: Codec<SignedPresence>

  export const codec = (): Codec<SignedPresence> => {
    if (_codec == null) {
      _codec = message<SignedPresence>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.presence != null && obj.presence.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.presence)
        }

        if ((obj.publicKey != null && obj.publicKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.publicKey)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          presence: uint8ArrayAlloc(0),
          publicKey: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.presence = reader.bytes()
              break
            }
            case 2: {
              obj.publicKey = reader.bytes()
              break
            }
            case 3: {
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
                field: `${prefix}.presence`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.publicKey`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
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

  export interface SignedPresencePresenceFieldEvent {
    field: '$.presence'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedPresencePublicKeyFieldEvent {
    field: '$.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedPresenceSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SignedPresence>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignedPresence.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedPresence>): SignedPresence {
    return decodeMessage(buf, SignedPresence.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedPresence>): Generator<SignedPresencePresenceFieldEvent | SignedPresencePublicKeyFieldEvent | SignedPresenceSignatureFieldEvent> {
    return streamMessage(buf, SignedPresence.codec(), opts)
  }
}

export interface Presence {
  version: number
  mesh: string
  name: string
  software: string
  uptimeMs: bigint
  bootId: bigint
  seq: bigint
  bootTimeMs: bigint
  addrs: Uint8Array<ArrayBuffer>[]
  links: Link[]
  binding: Uint8Array<ArrayBuffer>
  capabilities: Capability[]
}

export namespace Presence {
  let _codec: Codec<Presence>

  export const codec = (): Codec<Presence> => {
    if (_codec == null) {
      _codec = message<Presence>((obj, w, opts = {}) => {
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

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(26)
          w.string(obj.name)
        }

        if ((obj.software != null && obj.software !== '')) {
          w.uint32(34)
          w.string(obj.software)
        }

        if ((obj.uptimeMs != null && obj.uptimeMs !== 0n)) {
          w.uint32(40)
          w.uint64(obj.uptimeMs)
        }

        if ((obj.bootId != null && obj.bootId !== 0n)) {
          w.uint32(48)
          w.uint64(obj.bootId)
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(56)
          w.uint64(obj.seq)
        }

        if ((obj.bootTimeMs != null && obj.bootTimeMs !== 0n)) {
          w.uint32(96)
          w.uint64(obj.bootTimeMs)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(66)
            w.bytes(value)
          }
        }

        if (obj.links != null && obj.links.length > 0) {
          for (const value of obj.links) {
            w.uint32(74)
            Link.codec().encode(value, w)
          }
        }

        if ((obj.binding != null && obj.binding.byteLength > 0)) {
          w.uint32(90)
          w.bytes(obj.binding)
        }

        if (obj.capabilities != null && obj.capabilities.length > 0) {
          for (const value of obj.capabilities) {
            w.uint32(122)
            Capability.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          mesh: '',
          name: '',
          software: '',
          uptimeMs: 0n,
          bootId: 0n,
          seq: 0n,
          bootTimeMs: 0n,
          addrs: [],
          links: [],
          binding: uint8ArrayAlloc(0),
          capabilities: []
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
              obj.name = reader.string()
              break
            }
            case 4: {
              obj.software = reader.string()
              break
            }
            case 5: {
              obj.uptimeMs = reader.uint64()
              break
            }
            case 6: {
              obj.bootId = reader.uint64()
              break
            }
            case 7: {
              obj.seq = reader.uint64()
              break
            }
            case 12: {
              obj.bootTimeMs = reader.uint64()
              break
            }
            case 8: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.bytes())
              break
            }
            case 9: {
              if (opts.limits?.links != null && obj.links.length === opts.limits.links) {
                throw new MaxLengthError('Decode error - repeated field "links" had too many elements')
              }

              obj.links.push(Link.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.links$
              }))
              break
            }
            case 11: {
              obj.binding = reader.bytes()
              break
            }
            case 15: {
              if (opts.limits?.capabilities != null && obj.capabilities.length === opts.limits.capabilities) {
                throw new MaxLengthError('Decode error - repeated field "capabilities" had too many elements')
              }

              obj.capabilities.push(Capability.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.capabilities$
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
          addrs: 0,
          links: 0,
          capabilities: 0
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
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.software`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.uptimeMs`,
                value: reader.uint64()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.bootId`,
                value: reader.uint64()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.bootTimeMs`,
                value: reader.uint64()
              }
              break
            }
            case 8: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.bytes()
              }

              obj.addrs++

              break
            }
            case 9: {
              if (opts.limits?.links != null && obj.links === opts.limits.links) {
                throw new MaxLengthError('Streaming decode error - repeated field "links" had too many elements')
              }

              for (const evt of Link.codec().stream(reader, reader.uint32(), `${prefix}.links[]`, {
                limits: opts.limits?.links$
              })) {
                yield {
                  ...evt,
                  index: obj.links
                }
              }

              obj.links++

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
              if (opts.limits?.capabilities != null && obj.capabilities === opts.limits.capabilities) {
                throw new MaxLengthError('Streaming decode error - repeated field "capabilities" had too many elements')
              }

              for (const evt of Capability.codec().stream(reader, reader.uint32(), `${prefix}.capabilities[]`, {
                limits: opts.limits?.capabilities$
              })) {
                yield {
                  ...evt,
                  index: obj.capabilities
                }
              }

              obj.capabilities++

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

  export interface PresenceVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface PresenceMeshFieldEvent {
    field: '$.mesh'
    value: string
  }

  export interface PresenceNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface PresenceSoftwareFieldEvent {
    field: '$.software'
    value: string
  }

  export interface PresenceUptimeMsFieldEvent {
    field: '$.uptimeMs'
    value: bigint
  }

  export interface PresenceBootIdFieldEvent {
    field: '$.bootId'
    value: bigint
  }

  export interface PresenceSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface PresenceBootTimeMsFieldEvent {
    field: '$.bootTimeMs'
    value: bigint
  }

  export interface PresenceAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface PresenceLinksPeerFieldEvent {
    field: '$.links[].peer'
    value: string
    index: number
  }

  export interface PresenceLinksRttUsFieldEvent {
    field: '$.links[].rttUs'
    value: number
    index: number
  }

  export interface PresenceBindingFieldEvent {
    field: '$.binding'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PresenceCapabilitiesNameFieldEvent {
    field: '$.capabilities[].name'
    value: string
    index: number
  }

  export interface PresenceCapabilitiesValueFieldEvent {
    field: '$.capabilities[].value'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<Presence>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Presence.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Presence>): Presence {
    return decodeMessage(buf, Presence.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Presence>): Generator<PresenceVersionFieldEvent | PresenceMeshFieldEvent | PresenceNameFieldEvent | PresenceSoftwareFieldEvent | PresenceUptimeMsFieldEvent | PresenceBootIdFieldEvent | PresenceSeqFieldEvent | PresenceBootTimeMsFieldEvent | PresenceAddrsFieldEvent | PresenceLinksPeerFieldEvent | PresenceLinksRttUsFieldEvent | PresenceBindingFieldEvent | PresenceCapabilitiesNameFieldEvent | PresenceCapabilitiesValueFieldEvent> {
    return streamMessage(buf, Presence.codec(), opts)
  }
}

export interface Link {
  peer: string
  rttUs: number
}

export namespace Link {
  let _codec: Codec<Link>

  export const codec = (): Codec<Link> => {
    if (_codec == null) {
      _codec = message<Link>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peer != null && obj.peer !== '')) {
          w.uint32(10)
          w.string(obj.peer)
        }

        if ((obj.rttUs != null && obj.rttUs !== 0)) {
          w.uint32(16)
          w.uint32(obj.rttUs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peer: '',
          rttUs: 0
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
              obj.rttUs = reader.uint32()
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
                field: `${prefix}.rttUs`,
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

  export interface LinkPeerFieldEvent {
    field: '$.peer'
    value: string
  }

  export interface LinkRttUsFieldEvent {
    field: '$.rttUs'
    value: number
  }

  export function encode (obj: Partial<Link>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Link.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Link>): Link {
    return decodeMessage(buf, Link.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Link>): Generator<LinkPeerFieldEvent | LinkRttUsFieldEvent> {
    return streamMessage(buf, Link.codec(), opts)
  }
}

export interface Capability {
  name: string
  value: Uint8Array<ArrayBuffer>
}

export namespace Capability {
  let _codec: Codec<Capability>

  export const codec = (): Codec<Capability> => {
    if (_codec == null) {
      _codec = message<Capability>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if ((obj.value != null && obj.value.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.value)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          value: uint8ArrayAlloc(0)
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
              obj.value = reader.bytes()
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
                field: `${prefix}.value`,
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

  export interface CapabilityNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface CapabilityValueFieldEvent {
    field: '$.value'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Capability>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Capability.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Capability>): Capability {
    return decodeMessage(buf, Capability.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Capability>): Generator<CapabilityNameFieldEvent | CapabilityValueFieldEvent> {
    return streamMessage(buf, Capability.codec(), opts)
  }
}
