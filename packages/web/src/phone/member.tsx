import { peerIdFromString } from '@libp2p/peer-id'
import { formatFingerprint } from '@smesh/identity/fingerprint'
import { useEffect, useState } from 'preact/hooks'
import { forgetDevice } from './keys.js'
import { saveMembership } from './membership.js'
import { Chat } from './chat.js'
import { Memory } from './memory.js'
import { MeshViews } from './mesh.js'
import { connectToMesh, createPhonePeer, wsAddrs } from './peer.js'
import { readView, takeNotices } from './read.js'
import type { DeviceKeys } from './keys.js'
import type { SavedMembership } from './membership.js'
import type { Libp2p } from '@libp2p/interface'

type Link = { state: 'connecting' } | { state: 'connected', via: string } | { state: 'offline', why: string }

/** What the page shows of a member (the node's /v1/members rows). */
interface MemberRow { device: string, name: string, kind: string, agent: string, status: string, connected: boolean }
interface PeerRow { peerId: string, addrs: string[] }
interface ModelRow { model: string, device: string, tier: string, warm: boolean, queue: number }

const RETRY_MS = [1_000, 2_000, 5_000, 10_000]

/** Nodes to try: the one connected first, then every other node's WebSockets address it reported. */
function knownAddrs (saved: string[], peers: PeerRow[]): string[] {
  return [...new Set([...saved, ...peers.flatMap(p => wsAddrs(p.addrs, p.peerId))])].slice(0, 32)
}

export function MemberView ({ membership, keys, onLeft, onRemoved }: { membership: SavedMembership, keys: DeviceKeys, onLeft: () => void, onRemoved: (message: string) => void }) {
  const [link, setLink] = useState<Link>({ state: 'connecting' })
  const [members, setMembers] = useState<MemberRow[]>([])
  const [models, setModels] = useState<ModelRow[]>([])
  /** The node this page talks to now, for chat. */
  const [via, setVia] = useState<{ peer: Libp2p, node: string } | undefined>(undefined)
  useEffect(() => {
    let stopped = false
    let peer: Libp2p | undefined
    let timer: ReturnType<typeof setTimeout> | undefined
    let attempt = 0
    let saved = membership
    const removed = async (message: string): Promise<void> => {
      stopped = true
      await forgetDevice()
      onRemoved(message)
    }
    let connecting = false
    const connect = async (): Promise<void> => {
      // one attempt at a time: a disconnect during an attempt, or a retry already scheduled, starts no second loop
      if (stopped || peer == null || connecting) return
      clearTimeout(timer)
      connecting = true
      setLink({ state: 'connecting' })
      setVia(undefined)
      try {
        const via = await connectToMesh(peer, saved.addrs)
        const node = via.split('/p2p/')[1] as string
        attempt = 0
        setLink({ state: 'connected', via })
        setVia({ peer, node })
        const self = await readView<{ status: string } | undefined>(peer, node, 'device')
        if (self == null || (self.status !== 'active' && self.status !== 'root')) {
          await removed(self == null ? 'the mesh does not know it' : `its status is ${self.status}`)
          return
        }
        // where else to go when this node does
        saved = { ...saved, addrs: knownAddrs([via, ...saved.addrs], await readView<PeerRow[]>(peer, node, 'peers')) }
        await saveMembership(saved)
        setMembers(await readView<MemberRow[]>(peer, node, 'members'))
        setModels((await readView<{ models: ModelRow[] }>(peer, node, 'models')).models)
      } catch (err) {
        if (stopped) return
        setLink({ state: 'offline', why: err instanceof Error ? err.message : String(err) })
        timer = setTimeout(() => { void connect() }, RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)])
      } finally {
        connecting = false
      }
    }
    void (async () => {
      const p = await createPhonePeer(keys, membership.networkKey)
      // the view went away while the node was being made: it is stopped, not left running
      if (stopped) {
        await p.stop()
        return
      }
      peer = p
      await takeNotices(peer, (kind, message) => { void removed(kind === 'revoked' ? message : `${message} (${kind})`) })
      // when the node goes away (or the Wi-Fi does), the next one is tried
      peer.addEventListener('peer:disconnect', () => {
        if (peer != null && peer.getConnections().length === 0) void connect()
      })
      await connect()
    })()
    return () => {
      stopped = true
      clearTimeout(timer)
      void peer?.stop()
    }
  }, [membership, keys])

  const leave = async (): Promise<void> => {
    if (!confirm(`Leave the mesh ${membership.meshName}? This browser's device keys are deleted; to come back it needs a new invite.`)) return
    await forgetDevice()
    onLeft()
  }

  return (
    <main>
      <h1 data-testid="mesh">{membership.meshName === '' ? 'mesh' : membership.meshName}</h1>
      <p data-testid="joined">This browser is the device <strong data-testid="device-name">{membership.name}</strong> of the mesh.</p>
      <p data-testid="link" class={link.state}>
        {link.state === 'connected' ? `Connected to ${shortPeer(link.via)}` : link.state === 'connecting' ? 'Connecting…' : `Offline, retrying: ${link.why}`}
      </p>
      <dl>
        <dt>Fingerprint</dt><dd data-testid="fingerprint"><code>{formatFingerprint(keys.device)}</code></dd>
        <dt>PeerId</dt><dd data-testid="peer-id"><code>{keys.peerId}</code></dd>
        <dt>Scopes</dt><dd>{membership.scopes.join(', ')}</dd>
        <dt>Lease until</dt><dd>{new Date(membership.leaseExpiresAt).toLocaleString()}</dd>
      </dl>
      <Chat conn={via} onLost={() => { if (via != null) void via.peer.hangUp(peerIdFromString(via.node)).catch(() => {}) }} />
      <Memory conn={via} keys={keys} />
      <h2>Devices</h2>
      <ul data-testid="devices">
        {members.map(m => (
          <li key={m.device} class={m.status}>
            {m.name} <span class="quiet">{m.kind === 'browser' ? m.agent : 'node'} · {m.status}{m.connected ? ' · connected' : ''}{m.device === keys.device ? ' · this device' : ''}</span>
          </li>
        ))}
      </ul>
      <h2>Models</h2>
      <ul data-testid="models">
        {models.map(m => <li key={`${m.device}/${m.model}`}>{m.model} <span class="quiet">on {m.device} · {m.tier}{m.warm ? ' · warm' : ''}{m.queue > 0 ? ` · ${m.queue} queued` : ''}</span></li>)}
      </ul>
      <MeshViews conn={via} />
      <button class="danger" onClick={() => { void leave() }}>Leave this mesh</button>
    </main>
  )
}

function shortPeer (addr: string): string {
  const id = addr.split('/p2p/')[1] ?? addr
  return `${id.slice(0, 8)}…${id.slice(-6)}`
}
