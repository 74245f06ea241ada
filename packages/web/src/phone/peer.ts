import { noise } from '@libp2p/noise'
import { preSharedKey } from '@libp2p/pnet'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { JOIN_PROTOCOL } from '@smesh/protocols'
import { requestJoin } from '@smesh/membership/join-client'
import { swarmKeyOf } from '@smesh/membership/phone-link'
import { createLibp2p } from 'libp2p'
import type { DeviceKeys } from './keys.js'
import type { SavedMembership } from './membership.js'
import type { Libp2p } from '@libp2p/interface'
import type { PhoneInvite } from '@smesh/membership/phone-link'

const DIAL_TIMEOUT_MS = 8_000
const JOIN_TIMEOUT_MS = 20_000

/**
 * This page's libp2p node: WebSockets only (a page can dial, not listen),
 * the mesh's network key before anything else, then Noise and Yamux, as
 * every node of the mesh speaks. It dials only the PeerIds it was told.
 */
export async function createPhonePeer (keys: DeviceKeys, networkKey: string): Promise<Libp2p> {
  return await createLibp2p({
    privateKey: keys.privateKey,
    addresses: { listen: [] },
    transports: [webSockets()],
    connectionProtector: preSharedKey({ psk: swarmKeyOf(networkKey) }),
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // the browser build refuses private addresses by default: a home mesh is nothing else
    connectionGater: { denyDialMultiaddr: () => false },
    connectionManager: { maxConnections: 8 }
  })
}

/** Whether this page came over HTTPS: then it may dial only wss:// (`/tls/ws`), else only ws://. */
export function secureContext (): boolean {
  return globalThis.location?.protocol === 'https:'
}

/** Whether an address is on the LAN (private, link-local, loopback or CGNAT ranges, or a `.local` name): a page dials nothing else. */
export function onLan (ma: ReturnType<typeof multiaddr>): boolean {
  const c = ma.getComponents()[0]
  if (c == null || c.value == null) return false
  if (c.name === 'ip4') {
    const [a = 0, b = 0] = c.value.split('.').map(Number)
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b < 128)
  }
  if (c.name === 'ip6') return /^(fc|fd|fe8|fe9|fea|feb)/i.test(c.value) || c.value === '::1'
  return (c.name === 'dns' || c.name === 'dns4' || c.name === 'dns6') && /\.local$/i.test(c.value)
}

/** The WebSockets addresses (of the kind this page may dial) of a join answer or a peer list, each naming the node's PeerId. */
export function wsAddrs (addrs: string[], peerId: string, secure = secureContext()): string[] {
  const out: string[] = []
  for (const a of addrs) {
    try {
      let ma = multiaddr(a)
      const text = ma.toString()
      const tls = text.includes('/tls/ws') || text.includes('/wss')
      if (!text.includes('/ws') || tls !== secure || !onLan(ma)) continue
      if (!ma.toString().includes('/p2p/')) ma = ma.encapsulate(`/p2p/${peerId}`)
      out.push(ma.toString())
    } catch {
      // not a multiaddr: skipped
    }
  }
  return [...new Set(out)]
}

/** Dials the inviting node's join listener on the page's own host and asks to join. */
export async function joinMesh (peer: Libp2p, invite: PhoneInvite, host: string, keys: DeviceKeys, name: string, agent: string): Promise<SavedMembership> {
  const h = host.includes(':') ? `/ip6/${host.replace(/^\[|\]$/g, '')}` : /^[0-9.]+$/.test(host) ? `/ip4/${host}` : `/dns/${host}`
  const ma = multiaddr(`${h}/tcp/${invite.wsPort}/${secureContext() ? 'tls/ws' : 'ws'}/p2p/${invite.inviterPeerId}`)
  const signal = AbortSignal.timeout(JOIN_TIMEOUT_MS)
  const stream = await peer.dialProtocol(ma, JOIN_PROTOCOL, { signal })
  const res = await requestJoin(stream, { mesh: invite.mesh, secret: invite.secret, binding: keys.binding, name, kind: 'browser', agent }, signal)
  await peer.hangUp(ma).catch(() => {})
  return {
    mesh: invite.mesh,
    meshName: res.meshName,
    networkKey: invite.networkKey,
    inviterPeerId: invite.inviterPeerId,
    addrs: wsAddrs(res.addrs, invite.inviterPeerId),
    name,
    scopes: res.scopes,
    leaseExpiresAt: res.leaseExpiresAt,
    joinedAt: Date.now()
  }
}

/** Dials the known nodes in turn until one answers; returns the address that did, or throws the last error. */
export async function connectToMesh (peer: Libp2p, addrs: string[]): Promise<string> {
  let last: Error = new Error('no node of the mesh has a WebSockets address this page knows')
  for (const a of addrs) {
    try {
      await peer.dial(multiaddr(a), { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) })
      return a
    } catch (err: any) {
      last = err
    }
  }
  throw last
}

/** Browsers by the version token that names them, Edge and Chromium-based ones before Chrome, Chrome before Safari. */
const BROWSERS: Array<[string, RegExp]> = [['Edge', /Edg\/(\d+)/], ['Firefox', /Firefox\/(\d+)/], ['Chrome', /Chrom(?:e|ium)\/(\d+)/], ['Safari', /Version\/(\d+).*Safari/]]
const SYSTEMS: Array<[string, RegExp]> = [['Android', /Android/], ['iOS', /iPhone|iPad/], ['Windows', /Windows/], ['macOS', /Mac OS X/], ['Linux', /Linux/]]

/** "Chrome 156 on Android", for the members list. */
export function agentName (ua: string): string {
  const found = BROWSERS.map(([name, re]) => [name, re.exec(ua)?.[1]] as const).find(([, version]) => version != null)
  const browser = found == null ? 'browser' : `${found[0]} ${found[1] as string}`
  const os = SYSTEMS.find(([, re]) => re.test(ua))?.[0]
  return (os == null ? browser : `${browser} on ${os}`).slice(0, 63)
}
