import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface InviteToken {
  version: number
  mesh: string
  name: string
  networkKey: Uint8Array<ArrayBuffer>
  root: Uint8Array<ArrayBuffer>
  rootPeer: string
  inviterPeer: string
  addrs: string[]
  secret: Uint8Array<ArrayBuffer>
  expiresAt: bigint
}

export namespace InviteToken {
  let _codec: Codec<InviteToken>

  export const codec = (): Codec<InviteToken> => {
    if (_codec == null) {
      _codec = message<InviteToken>((obj, w, opts = {}) => {
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

        if ((obj.networkKey != null && obj.networkKey.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.networkKey)
        }

        if ((obj.root != null && obj.root.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.root)
        }

        if ((obj.rootPeer != null && obj.rootPeer !== '')) {
          w.uint32(50)
          w.string(obj.rootPeer)
        }

        if ((obj.inviterPeer != null && obj.inviterPeer !== '')) {
          w.uint32(58)
          w.string(obj.inviterPeer)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(66)
            w.string(value)
          }
        }

        if ((obj.secret != null && obj.secret.byteLength > 0)) {
          w.uint32(74)
          w.bytes(obj.secret)
        }

        if ((obj.expiresAt != null && obj.expiresAt !== 0n)) {
          w.uint32(80)
          w.uint64(obj.expiresAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          mesh: '',
          name: '',
          networkKey: uint8ArrayAlloc(0),
          root: uint8ArrayAlloc(0),
          rootPeer: '',
          inviterPeer: '',
          addrs: [],
          secret: uint8ArrayAlloc(0),
          expiresAt: 0n
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
              obj.networkKey = reader.bytes()
              break
            }
            case 5: {
              obj.root = reader.bytes()
              break
            }
            case 6: {
              obj.rootPeer = reader.string()
              break
            }
            case 7: {
              obj.inviterPeer = reader.string()
              break
            }
            case 8: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.string())
              break
            }
            case 9: {
              obj.secret = reader.bytes()
              break
            }
            case 10: {
              obj.expiresAt = reader.uint64()
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
          addrs: 0
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
                field: `${prefix}.networkKey`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.root`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.rootPeer`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.inviterPeer`,
                value: reader.string()
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
                value: reader.string()
              }

              obj.addrs++

              break
            }
            case 9: {
              yield {
                field: `${prefix}.secret`,
                value: reader.bytes()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.expiresAt`,
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

  export interface InviteTokenVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface InviteTokenMeshFieldEvent {
    field: '$.mesh'
    value: string
  }

  export interface InviteTokenNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface InviteTokenNetworkKeyFieldEvent {
    field: '$.networkKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface InviteTokenRootFieldEvent {
    field: '$.root'
    value: Uint8Array<ArrayBuffer>
  }

  export interface InviteTokenRootPeerFieldEvent {
    field: '$.rootPeer'
    value: string
  }

  export interface InviteTokenInviterPeerFieldEvent {
    field: '$.inviterPeer'
    value: string
  }

  export interface InviteTokenAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: string
  }

  export interface InviteTokenSecretFieldEvent {
    field: '$.secret'
    value: Uint8Array<ArrayBuffer>
  }

  export interface InviteTokenExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: bigint
  }

  export function encode (obj: Partial<InviteToken>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, InviteToken.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InviteToken>): InviteToken {
    return decodeMessage(buf, InviteToken.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InviteToken>): Generator<InviteTokenVersionFieldEvent | InviteTokenMeshFieldEvent | InviteTokenNameFieldEvent | InviteTokenNetworkKeyFieldEvent | InviteTokenRootFieldEvent | InviteTokenRootPeerFieldEvent | InviteTokenInviterPeerFieldEvent | InviteTokenAddrsFieldEvent | InviteTokenSecretFieldEvent | InviteTokenExpiresAtFieldEvent> {
    return streamMessage(buf, InviteToken.codec(), opts)
  }
}

export interface JoinRequest {
  version: number
  mesh: string
  secret: Uint8Array<ArrayBuffer>
  binding: Uint8Array<ArrayBuffer>
  name: string
  kind: string
  agent: string
}

export namespace JoinRequest {
  let _codec: Codec<JoinRequest>

  export const codec = (): Codec<JoinRequest> => {
    if (_codec == null) {
      _codec = message<JoinRequest>((obj, w, opts = {}) => {
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

        if ((obj.secret != null && obj.secret.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.secret)
        }

        if ((obj.binding != null && obj.binding.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.binding)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(42)
          w.string(obj.name)
        }

        if ((obj.kind != null && obj.kind !== '')) {
          w.uint32(50)
          w.string(obj.kind)
        }

        if ((obj.agent != null && obj.agent !== '')) {
          w.uint32(58)
          w.string(obj.agent)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          mesh: '',
          secret: uint8ArrayAlloc(0),
          binding: uint8ArrayAlloc(0),
          name: '',
          kind: '',
          agent: ''
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
              obj.secret = reader.bytes()
              break
            }
            case 4: {
              obj.binding = reader.bytes()
              break
            }
            case 5: {
              obj.name = reader.string()
              break
            }
            case 6: {
              obj.kind = reader.string()
              break
            }
            case 7: {
              obj.agent = reader.string()
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
                field: `${prefix}.mesh`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.secret`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.binding`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.kind`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.agent`,
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

  export interface JoinRequestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface JoinRequestMeshFieldEvent {
    field: '$.mesh'
    value: string
  }

  export interface JoinRequestSecretFieldEvent {
    field: '$.secret'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JoinRequestBindingFieldEvent {
    field: '$.binding'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JoinRequestNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface JoinRequestKindFieldEvent {
    field: '$.kind'
    value: string
  }

  export interface JoinRequestAgentFieldEvent {
    field: '$.agent'
    value: string
  }

  export function encode (obj: Partial<JoinRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, JoinRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JoinRequest>): JoinRequest {
    return decodeMessage(buf, JoinRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JoinRequest>): Generator<JoinRequestVersionFieldEvent | JoinRequestMeshFieldEvent | JoinRequestSecretFieldEvent | JoinRequestBindingFieldEvent | JoinRequestNameFieldEvent | JoinRequestKindFieldEvent | JoinRequestAgentFieldEvent> {
    return streamMessage(buf, JoinRequest.codec(), opts)
  }
}

export interface JoinResponse {
  ok: boolean
  error: string
  message: string
  admit: Uint8Array<ArrayBuffer>
  addrs: string[]
  scopes: string[]
  leaseExpiresAt: bigint
  meshName: string
}

export namespace JoinResponse {
  let _codec: Codec<JoinResponse>

  export const codec = (): Codec<JoinResponse> => {
    if (_codec == null) {
      _codec = message<JoinResponse>((obj, w, opts = {}) => {
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

        if ((obj.admit != null && obj.admit.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.admit)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(42)
            w.string(value)
          }
        }

        if (obj.scopes != null && obj.scopes.length > 0) {
          for (const value of obj.scopes) {
            w.uint32(50)
            w.string(value)
          }
        }

        if ((obj.leaseExpiresAt != null && obj.leaseExpiresAt !== 0n)) {
          w.uint32(56)
          w.uint64(obj.leaseExpiresAt)
        }

        if ((obj.meshName != null && obj.meshName !== '')) {
          w.uint32(66)
          w.string(obj.meshName)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ok: false,
          error: '',
          message: '',
          admit: uint8ArrayAlloc(0),
          addrs: [],
          scopes: [],
          leaseExpiresAt: 0n,
          meshName: ''
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
              obj.admit = reader.bytes()
              break
            }
            case 5: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.string())
              break
            }
            case 6: {
              if (opts.limits?.scopes != null && obj.scopes.length === opts.limits.scopes) {
                throw new MaxLengthError('Decode error - repeated field "scopes" had too many elements')
              }

              obj.scopes.push(reader.string())
              break
            }
            case 7: {
              obj.leaseExpiresAt = reader.uint64()
              break
            }
            case 8: {
              obj.meshName = reader.string()
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
          scopes: 0
        }

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
                field: `${prefix}.admit`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.string()
              }

              obj.addrs++

              break
            }
            case 6: {
              if (opts.limits?.scopes != null && obj.scopes === opts.limits.scopes) {
                throw new MaxLengthError('Streaming decode error - repeated field "scopes" had too many elements')
              }

              yield {
                field: `${prefix}.scopes[]`,
                index: obj.scopes,
                value: reader.string()
              }

              obj.scopes++

              break
            }
            case 7: {
              yield {
                field: `${prefix}.leaseExpiresAt`,
                value: reader.uint64()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.meshName`,
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

  export interface JoinResponseOkFieldEvent {
    field: '$.ok'
    value: boolean
  }

  export interface JoinResponseErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export interface JoinResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface JoinResponseAdmitFieldEvent {
    field: '$.admit'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JoinResponseAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: string
  }

  export interface JoinResponseScopesFieldEvent {
    field: '$.scopes[]'
    index: number
    value: string
  }

  export interface JoinResponseLeaseExpiresAtFieldEvent {
    field: '$.leaseExpiresAt'
    value: bigint
  }

  export interface JoinResponseMeshNameFieldEvent {
    field: '$.meshName'
    value: string
  }

  export function encode (obj: Partial<JoinResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, JoinResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JoinResponse>): JoinResponse {
    return decodeMessage(buf, JoinResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JoinResponse>): Generator<JoinResponseOkFieldEvent | JoinResponseErrorFieldEvent | JoinResponseMessageFieldEvent | JoinResponseAdmitFieldEvent | JoinResponseAddrsFieldEvent | JoinResponseScopesFieldEvent | JoinResponseLeaseExpiresAtFieldEvent | JoinResponseMeshNameFieldEvent> {
    return streamMessage(buf, JoinResponse.codec(), opts)
  }
}

export interface PhoneLink {
  version: number
  mesh: Uint8Array<ArrayBuffer>
  secret: Uint8Array<ArrayBuffer>
  networkKey: Uint8Array<ArrayBuffer>
  peer: Uint8Array<ArrayBuffer>
  wsPort: number
  expiresAt: bigint
}

export namespace PhoneLink {
  let _codec: Codec<PhoneLink>

  export const codec = (): Codec<PhoneLink> => {
    if (_codec == null) {
      _codec = message<PhoneLink>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.mesh != null && obj.mesh.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.mesh)
        }

        if ((obj.secret != null && obj.secret.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.secret)
        }

        if ((obj.networkKey != null && obj.networkKey.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.networkKey)
        }

        if ((obj.peer != null && obj.peer.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.peer)
        }

        if ((obj.wsPort != null && obj.wsPort !== 0)) {
          w.uint32(48)
          w.uint32(obj.wsPort)
        }

        if ((obj.expiresAt != null && obj.expiresAt !== 0n)) {
          w.uint32(56)
          w.uint64(obj.expiresAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          mesh: uint8ArrayAlloc(0),
          secret: uint8ArrayAlloc(0),
          networkKey: uint8ArrayAlloc(0),
          peer: uint8ArrayAlloc(0),
          wsPort: 0,
          expiresAt: 0n
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
              obj.mesh = reader.bytes()
              break
            }
            case 3: {
              obj.secret = reader.bytes()
              break
            }
            case 4: {
              obj.networkKey = reader.bytes()
              break
            }
            case 5: {
              obj.peer = reader.bytes()
              break
            }
            case 6: {
              obj.wsPort = reader.uint32()
              break
            }
            case 7: {
              obj.expiresAt = reader.uint64()
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
                field: `${prefix}.mesh`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.secret`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.networkKey`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.peer`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.wsPort`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.expiresAt`,
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

  export interface PhoneLinkVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface PhoneLinkMeshFieldEvent {
    field: '$.mesh'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PhoneLinkSecretFieldEvent {
    field: '$.secret'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PhoneLinkNetworkKeyFieldEvent {
    field: '$.networkKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PhoneLinkPeerFieldEvent {
    field: '$.peer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PhoneLinkWsPortFieldEvent {
    field: '$.wsPort'
    value: number
  }

  export interface PhoneLinkExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: bigint
  }

  export function encode (obj: Partial<PhoneLink>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PhoneLink.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PhoneLink>): PhoneLink {
    return decodeMessage(buf, PhoneLink.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PhoneLink>): Generator<PhoneLinkVersionFieldEvent | PhoneLinkMeshFieldEvent | PhoneLinkSecretFieldEvent | PhoneLinkNetworkKeyFieldEvent | PhoneLinkPeerFieldEvent | PhoneLinkWsPortFieldEvent | PhoneLinkExpiresAtFieldEvent> {
    return streamMessage(buf, PhoneLink.codec(), opts)
  }
}
