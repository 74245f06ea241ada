import { useEffect, useState } from 'preact/hooks'
import { toString as qrSvg } from 'qrcode'
import { ago } from './model.js'
import type { DashApi } from './api.js'
import type { LiveState } from './live.js'
import type { InviteView, MemberRow } from '@smesh/node'

/** The devices of the mesh; invites (with their QR code), revocation, approvals. */
export function MembersView ({ live, api, now }: { live: LiveState, api: DashApi, now: number }) {
  const [error, setError] = useState<string>()
  const [confirm, setConfirm] = useState<MemberRow>()
  const admin = live.mesh?.scopes.includes('admin') === true
  const members = live.members ?? []
  const revoke = (m: MemberRow): void => {
    setConfirm(undefined)
    api.post('/v1/revoke', { device: m.device, reason: 'revoked from the dashboard' }).then(() => { setError(undefined) }, (err: Error) => { setError(err.message) })
  }
  const decide = (id: string, approved: boolean): void => {
    api.post('/v1/approve', { id, approved }).then(() => { setError(undefined) }, (err: Error) => { setError(err.message) })
  }
  return (
    <section>
      <h2>Members</h2>
      <div class='scroll'>
        <table data-testid='members'>
          <thead><tr><th>Device</th><th>Kind</th><th>Scopes</th><th>Status</th><th>Lease expires</th><th>Last seen</th><th></th></tr></thead>
          <tbody>
            {members.map(m => (
              <tr key={m.device} data-name={m.name} data-status={m.status}>
                <td>{m.name !== '' ? m.name : m.device.slice(0, 12)} <span class='quiet'><code>{m.device.slice(0, 8)}</code></span></td>
                <td>{m.kind}{m.agent !== '' ? ` (${m.agent})` : ''}</td>
                <td>{m.scopes.join(', ')}</td>
                <td class={m.status === 'revoked' ? 'error' : ''}>{m.status}{m.connected ? ', connected' : ''}</td>
                <td>{m.expiresAt != null ? new Date(m.expiresAt).toLocaleDateString() : '-'}</td>
                <td>{m.connected ? 'now' : m.lastSeenAt != null ? ago(m.lastSeenAt, now) : 'not heard lately'}</td>
                <td>{admin && m.status === 'active' && <button type='button' class='link danger' onClick={() => { setConfirm(m) }}>revoke</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {confirm != null && (
        <div class='confirm' role='alertdialog' aria-label='Confirm revocation'>
          <p>Revoke <b>{confirm.name}</b> (device <code>{confirm.device.slice(0, 16)}</code>, {confirm.kind}, {confirm.scopes.join(', ')})? Every node closes its connections and refuses its later entries. This cannot be undone: the device would need a new invite.</p>
          <div class='row'>
            <button type='button' class='danger' onClick={() => { revoke(confirm) }}>Revoke {confirm.name}</button>
            <button type='button' class='secondary' onClick={() => { setConfirm(undefined) }}>Cancel</button>
          </div>
        </div>
      )}
      {error != null && <p class='error'>{error}</p>}
      <h3>Waiting for an admin</h3>
      {(live.approvals ?? []).length === 0
        ? <p class='quiet'>Nothing waits for approval.</p>
        : (
          <ul data-testid='approvals'>
            {live.approvals?.map(a => (
              <li key={a.id}>
                {a.action} of <code>{a.subject}</code> by {members.find(m => m.device === a.device)?.name ?? a.device.slice(0, 12)}, asked {ago(a.askedAt, now)}
                {admin && <> <button type='button' class='link' onClick={() => { decide(a.id, true) }}>approve</button> <button type='button' class='link danger' onClick={() => { decide(a.id, false) }}>deny</button></>}
              </li>
            ))}
          </ul>
          )}
      {admin && <Invite api={api} />}
    </section>
  )
}

function Invite ({ api }: { api: DashApi }) {
  const [scopes, setScopes] = useState('read,write,task.submit,task.serve')
  const [phone, setPhone] = useState(false)
  const [invite, setInvite] = useState<InviteView>()
  const [qr, setQr] = useState<string>()
  const [error, setError] = useState<string>()
  useEffect(() => {
    const text = invite?.link ?? invite?.token
    if (text == null) return
    qrSvg(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }).then(svg => { setQr(`data:image/svg+xml;base64,${btoa(svg)}`) }, () => { setQr(undefined) })
  }, [invite])
  const create = (e: Event): void => {
    e.preventDefault()
    setQr(undefined)
    api.post<InviteView>('/v1/invite', { scopes: phone ? 'read,write,task.submit' : scopes, phone }).then(i => { setInvite(i); setError(undefined) }, (err: Error & { hint?: string }) => { setError(`${err.message}${err.hint != null ? ` (${err.hint})` : ''}`) })
  }
  return (
    <>
      <h3>Invite a device</h3>
      <form onSubmit={create} class='inline'>
        <label>Scopes<input value={scopes} disabled={phone} onInput={(e) => { setScopes(e.currentTarget.value) }} aria-label='Invite scopes' /></label>
        <label class='check'><input type='checkbox' checked={phone} onChange={(e) => { setPhone(e.currentTarget.checked) }} /> a phone (a link its camera opens)</label>
        <button type='submit'>Create invite</button>
      </form>
      {error != null && <p class='error'>{error}</p>}
      {invite != null && (
        <div class='details' data-testid='invite'>
          {qr != null && <img class='qr' src={qr} alt='QR code of the invite' />}
          <p>{invite.link != null ? 'Open on the phone:' : 'On the new device run: smesh join TOKEN'} (expires {new Date(invite.expiresAt).toLocaleString()})</p>
          <textarea readOnly rows={3} value={invite.link ?? invite.token} aria-label='Invite token' onFocus={(e) => { e.currentTarget.select() }} />
          <button type='button' class='secondary' onClick={() => { void navigator.clipboard?.writeText(invite.link ?? invite.token) }}>Copy</button>
        </div>
      )}
    </>
  )
}
