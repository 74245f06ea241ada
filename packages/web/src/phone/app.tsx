import { formatFingerprint } from '@smesh/identity/fingerprint'
import { decodePhoneFragment } from '@smesh/membership/phone-link'
import { useEffect, useState } from 'preact/hooks'
import { forgetDevice, loadOrCreateKeys } from './keys.js'
import { loadMembership, saveMembership } from './membership.js'
import { agentName, connectToMesh, createPhonePeer, joinMesh } from './peer.js'
import type { DeviceKeys } from './keys.js'
import type { SavedMembership } from './membership.js'
import type { Libp2p } from '@libp2p/interface'
import type { PhoneInvite } from '@smesh/membership/phone-link'

type View =
  | { at: 'starting' }
  | { at: 'invite', invite: PhoneInvite, keys: DeviceKeys }
  | { at: 'joining', name: string }
  | { at: 'member', membership: SavedMembership, keys: DeviceKeys }
  | { at: 'no-invite' }
  | { at: 'error', message: string, hint: string }

type Link = { state: 'connecting' } | { state: 'connected', via: string } | { state: 'offline', why: string }

const RETRY_MS = [1_000, 2_000, 5_000, 10_000]

function errorView (err: unknown): View {
  const e = err as { message?: unknown, hint?: unknown } | undefined
  return { at: 'error', message: String(e?.message ?? err), hint: String(e?.hint ?? 'reload the page to try again') }
}

function defaultName (): string {
  const agent = agentName(navigator.userAgent)
  return /Android|iOS/.test(agent) ? 'phone' : 'browser'
}

export function App () {
  const [view, setView] = useState<View>({ at: 'starting' })
  useEffect(() => {
    void (async () => {
      try {
        const keys = await loadOrCreateKeys()
        const saved = await loadMembership()
        if (saved != null) {
          // already a member: the link (if any) is not needed again, and its secret is dropped from the address bar
          history.replaceState(null, '', location.pathname)
          setView({ at: 'member', membership: saved, keys })
          return
        }
        if (location.hash.length <= 1) {
          setView({ at: 'no-invite' })
          return
        }
        setView({ at: 'invite', invite: decodePhoneFragment(location.hash), keys })
      } catch (err) {
        setView(errorView(err))
      }
    })()
  }, [])

  const join = async (invite: PhoneInvite, keys: DeviceKeys, name: string): Promise<void> => {
    setView({ at: 'joining', name })
    let peer: Libp2p | undefined
    try {
      peer = await createPhonePeer(keys, invite.networkKey)
      const membership = await joinMesh(peer, invite, location.hostname, keys, name, agentName(navigator.userAgent))
      await saveMembership(membership)
      history.replaceState(null, '', location.pathname)
      setView({ at: 'member', membership, keys })
    } catch (err) {
      setView(errorView(err))
    } finally {
      await peer?.stop()
    }
  }

  switch (view.at) {
    case 'starting': return <main><p class="quiet">Starting…</p></main>
    case 'no-invite': return (
      <main>
        <h1>smesh</h1>
        <p>This browser is not a member of a mesh yet.</p>
        <p class="hint">On a device of the mesh, run <code>smesh invite --phone</code> and scan its QR code.</p>
      </main>
    )
    case 'error': return (
      <main>
        <h1>smesh</h1>
        <p class="error" data-testid="error">{view.message}</p>
        <p class="hint">{view.hint}</p>
      </main>
    )
    case 'invite': return <InviteView invite={view.invite} onJoin={(name) => { void join(view.invite, view.keys, name) }} />
    case 'joining': return <main><p class="quiet" data-testid="joining">Joining as {view.name}…</p></main>
    case 'member': return <MemberView membership={view.membership} keys={view.keys} onLeft={() => { setView({ at: 'no-invite' }) }} />
  }
}

function InviteView ({ invite, onJoin }: { invite: PhoneInvite, onJoin: (name: string) => void }) {
  const [name, setName] = useState(defaultName())
  return (
    <main>
      <h1>Join a mesh</h1>
      <p>This page will make this browser a device of the mesh, with keys of its own that never leave it.</p>
      <form onSubmit={(e) => { e.preventDefault(); onJoin(name.trim() === '' ? defaultName() : name.trim()) }}>
        <label>Device name <input name="name" value={name} maxLength={63} onInput={(e) => { setName((e.target as HTMLInputElement).value) }} /></label>
        <button type="submit">Join</button>
      </form>
      <p class="hint">The invite works until {new Date(invite.expiresAt).toLocaleString()}, once.</p>
    </main>
  )
}

function MemberView ({ membership, keys, onLeft }: { membership: SavedMembership, keys: DeviceKeys, onLeft: () => void }) {
  const [link, setLink] = useState<Link>({ state: 'connecting' })
  useEffect(() => {
    let stopped = false
    let peer: Libp2p | undefined
    let timer: ReturnType<typeof setTimeout> | undefined
    let attempt = 0
    const connect = async (): Promise<void> => {
      if (stopped || peer == null) return
      setLink({ state: 'connecting' })
      try {
        const via = await connectToMesh(peer, membership.addrs)
        attempt = 0
        setLink({ state: 'connected', via })
      } catch (err) {
        setLink({ state: 'offline', why: err instanceof Error ? err.message : String(err) })
        timer = setTimeout(() => { void connect() }, RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)])
      }
    }
    void (async () => {
      peer = await createPhonePeer(keys, membership.networkKey)
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
      <button class="danger" onClick={() => { void leave() }}>Leave this mesh</button>
    </main>
  )
}

function shortPeer (addr: string): string {
  const id = addr.split('/p2p/')[1] ?? addr
  return `${id.slice(0, 8)}…${id.slice(-6)}`
}
