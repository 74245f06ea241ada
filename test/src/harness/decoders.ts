import { readFileSync } from 'node:fs'
import { decodeEntry, parseBody } from '@smesh/bus'
import { decodeBinding, verifyBinding } from '@smesh/identity'
import { checkRules, decodePhoneFragment, decodeToken, encodePhoneFragment, parseAdmit, parseRevoke } from '@smesh/membership'
import {
  AskEvent, AskRequest, JoinRequest, JoinResponse, Notice, Presence, PushRequest, PushResponse, ReadRequest, ReadResponse, SyncBatch, SyncHeads, SyncHello, SyncWant,
  decodeAskEvent, decodeAskRequest, decodeNotice, decodePushRequest, decodePushResponse, decodeReadRequest, decodeReadResponse,
  decodeBundleManifest, decodeForkProof, decodeJoinRequest, decodeJoinResponse, decodePresence,
  decodeSignedAdvert, decodeAdvert, decodeSyncBatch, decodeSyncHeads, decodeSyncHello, decodeSyncWant, decodeTaskFrame, decodeTaskRequest
} from '@smesh/protocols'
import { fromWireRequest, openAdvert } from '@smesh/tasks'

/** One decoder a peer, a file or a client can feed bytes to, with valid inputs to mutate. */
export interface Decoder {
  name: string
  decode: (input: Uint8Array) => unknown
  seeds: Uint8Array[]
}

const root = new URL('../../../../', import.meta.url)
const json = (path: string): any => JSON.parse(readFileSync(new URL(path, root), 'utf8'))
const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'))
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
const text = (b: Uint8Array): string => new TextDecoder().decode(b)

/**
 * Every decoder of smesh's wire formats, files and bodies, in one list (the
 * fuzz row of the reliability matrix feeds each random and mutated input).
 * Seeds are the golden vectors and small valid messages.
 */
export function decoders (): Decoder[] {
  const entries = json('protocols/bus/vectors/entries.json')
  const tasks = json('protocols/tasks/vectors/tasks.json')
  const bundles = json('protocols/membership/vectors/bundles.json')
  const entrySeeds: Uint8Array[] = entries.valid.map((v: { entry: string }) => hex(v.entry))
  const bindingSeeds = Object.values(entries.keys).map((k: any) => hex(k.binding))
  const manifestSeeds = bundles.vectors.slice(0, 3).map((v: { bundle: string }) => {
    const b = Buffer.from(v.bundle, 'base64')
    // the first record after the 8-byte magic: a varint length, then the manifest
    let len = 0
    let shift = 0
    let i = 8
    for (; ; i++) {
      const byte = b[i] as number
      len |= (byte & 0x7f) << shift
      shift += 7
      if ((byte & 0x80) === 0) break
    }
    return Uint8Array.from(b.subarray(i + 1, i + 1 + len))
  })
  const head = { author: new Uint8Array(32).fill(1), seq: 5n, hash: new Uint8Array(32).fill(2) }
  const presence: Presence = { version: 1, mesh: 'm'.repeat(32), name: 'laptop', software: 'smesh/0.1.0', uptimeMs: 5n, bootId: 9n, bootTimeMs: 1_700_000_000_000n, seq: 3n, addrs: [], links: [{ peer: '12D3KooWabc', rttUs: 400 }], binding: new Uint8Array(0), capabilities: [{ name: 'advert', value: new Uint8Array([1, 2, 3]) }] }
  const bodies = ['{"key":"notes/a","value":1}', '{"session":"0123456789abcdef0123456789abcdef","role":"user","content":"hi"}', '{"title":"t","meta":{}}'].map(utf8)
  const lease = utf8(JSON.stringify({ device: 'ab'.repeat(32), peerId: '12D3KooWR729YkMbt8hX2tKmf73n4BUpm9UNnche9wC8kn47zb8S', name: 'laptop', scopes: ['read', 'write'], issuedAt: 1, expiresAt: 2, renew: true, leaseMs: 1 }))
  const advert = tasks.advert
  return [
    { name: 'bus entry', decode: decodeEntry, seeds: entrySeeds },
    { name: 'identity binding', decode: (b) => verifyBinding(decodeBinding(b)), seeds: bindingSeeds },
    { name: 'bundle manifest', decode: decodeBundleManifest, seeds: manifestSeeds },
    { name: 'fork proof', decode: decodeForkProof, seeds: [] },
    { name: 'sync hello', decode: decodeSyncHello, seeds: [SyncHello.encode({ version: 1, mesh: 'm', heads: [head] } as any)] },
    { name: 'sync heads', decode: decodeSyncHeads, seeds: [SyncHeads.encode({ heads: [head], more: false } as any)] },
    { name: 'sync want', decode: decodeSyncWant, seeds: [SyncWant.encode({ author: head.author, fromSeq: 1n, limit: 10 } as any)] },
    { name: 'sync batch', decode: decodeSyncBatch, seeds: [SyncBatch.encode({ entries: entrySeeds.slice(0, 2) } as any)] },
    { name: 'presence beacon', decode: decodePresence, seeds: [Presence.encode(presence)] },
    { name: 'join request', decode: decodeJoinRequest, seeds: [JoinRequest.encode({ version: 1, secret: new Uint8Array(32), name: 'phone', binding: bindingSeeds[0] } as any)] },
    { name: 'join response', decode: decodeJoinResponse, seeds: [JoinResponse.encode({ ok: true, error: '', mesh: 'm' } as any)] },
    { name: 'invite token', decode: (b) => decodeToken(text(b)), seeds: [utf8('smesh1' + 'q'.repeat(80))] },
    { name: 'task request', decode: (b) => fromWireRequest(decodeTaskRequest(b)), seeds: tasks.requests.map((r: { hex: string }) => hex(r.hex)) },
    { name: 'task frame', decode: decodeTaskFrame, seeds: tasks.frames.map((f: { hex: string }) => hex(f.hex)) },
    { name: 'signed advert', decode: (b) => openAdvert(b, hex(advert.publicKey), 'peer', Number(advert.fields?.issuedAt ?? 0) + 1), seeds: [hex(advert.signedAdvertHex)] },
    { name: 'advert', decode: (b) => decodeAdvert(decodeSignedAdvert(b).advert), seeds: [hex(advert.signedAdvertHex)] },
    { name: 'memory and session bodies', decode: (b) => { for (const k of ['memory.put', 'memory.del', 'session.open', 'session.message', 'session.state']) { try { parseBody(k, b) } catch (e) { if ((e as Error).name !== 'InvalidBodyError') throw e } } }, seeds: bodies },
    { name: 'membership bodies', decode: (b) => { for (const f of [parseAdmit, parseRevoke]) { try { f(b) } catch (e) { if ((e as Error).name !== 'InvalidBodyError') throw e } } }, seeds: [lease] },
    { name: 'phone link', decode: (b) => decodePhoneFragment(text(b), 0), seeds: [utf8(encodePhoneFragment({ mesh: 'ab'.repeat(16), secret: new Uint8Array(32).fill(7), networkKey: 'cd'.repeat(32), inviterPeerId: '12D3KooWR729YkMbt8hX2tKmf73n4BUpm9UNnche9wC8kn47zb8S', wsPort: 7372, expiresAt: 2_000_000_000_000 }))] },
    { name: 'read request', decode: decodeReadRequest, seeds: [ReadRequest.encode({ version: 1, view: 'memory', arg: 'notes/' })] },
    { name: 'read response', decode: decodeReadResponse, seeds: [ReadResponse.encode({ ok: true, error: '', message: '', json: utf8('[{"key":"a","value":1}]') as Uint8Array<ArrayBuffer> })] },
    { name: 'ask request', decode: decodeAskRequest, seeds: [AskRequest.encode({ version: 1, messages: [{ role: 'user', content: 'hi' }], prompt: '', session: '', model: 'best', residency: '' })] },
    { name: 'ask event', decode: decodeAskEvent, seeds: [AskEvent.encode({ type: 'text', text: 'The ', task: 'ab'.repeat(16), device: 'laptop', peer: '', provider: '', model: '', tier: '', code: '', message: '', hint: '', firstTokenMs: 0, totalMs: 0 })] },
    { name: 'push request', decode: decodePushRequest, seeds: [PushRequest.encode({ version: 1, entry: entrySeeds[0] as Uint8Array<ArrayBuffer> })] },
    { name: 'push response', decode: decodePushResponse, seeds: [PushResponse.encode({ ok: false, error: 'gap', message: 'push the entries before it' })] },
    { name: 'notice', decode: decodeNotice, seeds: [Notice.encode({ version: 1, kind: 'revoked', message: 'removed' })] },
    { name: 'policy rules', decode: (b) => checkRules(JSON.parse(text(b))), seeds: [utf8('[{"action":"memory.write","subject":"secrets/*","effect":"block"}]')] }
  ]
}

/**
 * A thrown error is the decoder saying no, unless it is one a correct
 * decoder never throws: a TypeError or ReferenceError (a bug), a stack
 * overflow, or an allocation failure (a length nobody bounded).
 */
export function isCrash (err: unknown): boolean {
  if (!(err instanceof Error)) return true
  if (err instanceof TypeError || err instanceof ReferenceError) return true
  return /Maximum call stack|allocation failed|Invalid array length|out of memory/i.test(err.message)
}
