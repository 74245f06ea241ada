import { decodePhoneFragment } from '@smesh/membership/phone-link'
import { useEffect, useState } from 'preact/hooks'
import { loadOrCreateKeys } from './keys.js'
import { loadMembership, saveMembership } from './membership.js'
import { MemberView } from './member.js'
import { agentName, createPhonePeer, joinMesh } from './peer.js'
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
  | { at: 'removed', message: string }
  | { at: 'error', message: string, hint: string }

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
    case 'member': return <MemberView membership={view.membership} keys={view.keys} onLeft={() => { setView({ at: 'no-invite' }) }} onRemoved={(message) => { setView({ at: 'removed', message }) }} />
    case 'removed': return (
      <main>
        <h1>Removed</h1>
        <p class="error" data-testid="removed">This browser is no longer a device of the mesh: {view.message}.</p>
        <p class="hint">Its keys are deleted. To join again, ask an admin for a new invite (smesh invite --phone).</p>
      </main>
    )
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
