import { readFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { loadOrCreateIdentity } from '@smesh/identity'
import { openBus } from '@smesh/bus'
import { MeshExistsError, newMeshConfig, readMeshConfigIfAny, writeMeshConfig } from '@smesh/membership'
import { apiGet, apiPost } from '../../api/client.js'
import { MAX_REQUEST_BODY } from '../../api/server.js'
import { CliError } from '../cli-error.js'
import { parseDuration } from '../duration.js'
import { ago, duration, table } from '../format.js'
import { readStdin } from '../stdin.js'
import type { InviteView, MemberRow, MeshView } from '../../api/mesh-routes.js'
import type { PendingAsk, PolicyRule } from '@smesh/membership'
import type { EntryView } from '@smesh/bus'
import type { Identity } from '@smesh/identity'

const out = (s: string): void => { process.stdout.write(s + '\n') }
const json = (v: unknown): void => { out(JSON.stringify(v, null, 2)) }

/**
 * Creates the bus store of a new identity now: a later start finding a key
 * without a store would take it for a lost store and wait for a peer to show
 * it its own chain.
 */
export async function newBusStore (dataDir: string, identity: Identity): Promise<void> {
  if (!identity.created) return
  const bus = await openBus(dataDir, identity)
  await bus.close()
}

/** `smesh init`: a new mesh, this device its root admin. Needs no running node. */
export async function runInit (dataDir: string, opts: { name?: string, json?: boolean, start?: boolean }): Promise<void> {
  const existing = await readMeshConfigIfAny(dataDir)
  if (existing != null) throw new MeshExistsError(dataDir, `${existing.name} (${existing.id})`)
  const name = opts.name ?? (`${hostname().replace(/[^\p{L}\p{N} ._'-]/gu, '-').slice(0, 50)} mesh`)
  const identity = await loadOrCreateIdentity(dataDir)
  const mesh = newMeshConfig(name, identity.pqFingerprint, identity.peerId.toString())
  await writeMeshConfig(dataDir, mesh)
  await newBusStore(dataDir, identity)
  if (opts.json === true) {
    json({ id: mesh.id, name: mesh.name, root: mesh.root, rootPeerId: mesh.rootPeerId, dataDir })
    return
  }
  out([
    `created mesh "${mesh.name}" (${mesh.id})`,
    `this device is its root admin: ${mesh.root.slice(0, 16)} (${mesh.rootPeerId})`,
    `the network key is in ${dataDir}/mesh.json (mode 0600): keep it private`,
    '',
    opts.start === true ? 'starting the node; add a device with smesh invite (here) and smesh join TOKEN (there)' : 'next: smesh start, then smesh invite on this device to add another'
  ].join('\n'))
}

/** What a phone gets unless asked otherwise: never task.serve or admin. */
const PHONE_SCOPES = 'read,write,task.submit'

export async function runInvite (dataDir: string, opts: { scopes?: string, ttl?: string, lease?: string, renew?: boolean, qr?: boolean, phone?: boolean, json?: boolean }): Promise<void> {
  const phone = opts.phone === true
  const req = {
    ...(opts.scopes != null ? { scopes: opts.scopes } : phone ? { scopes: PHONE_SCOPES } : {}),
    ...(phone ? { phone: true } : {}),
    ...(opts.ttl != null ? { ttlMs: parseDuration(opts.ttl, '--ttl') } : {}),
    ...(opts.lease != null ? { leaseMs: parseDuration(opts.lease, '--lease') } : {}),
    renew: opts.renew !== false
  }
  const inv = await apiPost<InviteView>(dataDir, '/v1/invite', req)
  if (opts.json === true) {
    json(inv)
    return
  }
  if (phone && inv.link != null) {
    const { default: QRCode } = await import('qrcode')
    out(await QRCode.toString(inv.link, { type: 'terminal', small: true, errorCorrectionLevel: 'L' }))
    out([
      inv.link,
      '',
      'scan it with the phone\'s camera (on the same network as this node), or open the link in its browser',
      `works once, until ${new Date(inv.expiresAt).toISOString()} (${duration(inv.expiresAt - Date.now())})`,
      `scopes ${inv.scopes.join(', ')}; lease ${duration(inv.leaseMs)}${inv.renew ? ', renewed while a member' : ', not renewed'}`
    ].join('\n'))
    return
  }
  if (opts.qr === true) {
    const { default: QRCode } = await import('qrcode')
    out(await QRCode.toString(inv.token, { type: 'terminal', small: true, errorCorrectionLevel: 'L' }))
  }
  out([
    inv.token,
    '',
    `on the new device: smesh join ${inv.token.slice(0, 12)}...   (the whole token)`,
    `works once, until ${new Date(inv.expiresAt).toISOString()} (${duration(inv.expiresAt - Date.now())})`,
    `scopes ${inv.scopes.join(', ')}; lease ${duration(inv.leaseMs)}${inv.renew ? ', renewed while a member' : ', not renewed'}`,
    `reaches this node at ${inv.addrs.join(', ')}`
  ].join('\n'))
}

function since (at: number | null): string {
  return at == null ? 'never' : ago(Date.now() - at)
}

export function formatMembers (rows: MemberRow[]): string {
  return table([
    ['DEVICE', 'NAME', 'KIND', 'STATUS', 'SCOPES', 'EXPIRES', 'LAST SEEN'],
    ...rows.map(m => {
      const expires = m.status === 'root' ? 'never' : m.status === 'revoked' || m.expiresAt == null ? '-' : m.expiresAt > Date.now() ? `in ${duration(m.expiresAt - Date.now())}` : `${duration(Date.now() - m.expiresAt)} ago`
      return [m.device.slice(0, 16), (m.name || '-').slice(0, 20), m.kind === 'browser' ? (m.agent || 'browser').slice(0, 24) : 'node', m.status, m.scopes.join(','), expires, m.connected ? 'connected' : since(m.lastSeenAt)]
    })
  ])
}

export async function runMembers (dataDir: string, opts: { json?: boolean }): Promise<void> {
  const rows = await apiGet<MemberRow[]>(dataDir, '/v1/members')
  if (opts.json === true) json(rows)
  else out(formatMembers(rows))
}

export async function runMeshShow (dataDir: string, opts: { json?: boolean }): Promise<void> {
  const m = await apiGet<MeshView>(dataDir, '/v1/mesh')
  if (opts.json === true) {
    json(m)
    return
  }
  out([
    `mesh      ${m.name} (${m.id})`,
    `root      ${m.root} (${m.rootPeerId})`,
    `device    ${m.device.slice(0, 16)}: ${m.status ?? 'lease not yet learned'}${m.scopes.length > 0 ? `, scopes ${m.scopes.join(', ')}` : ''}${m.leaseExpiresAt != null ? `, lease until ${new Date(m.leaseExpiresAt).toISOString()}` : ''}`,
    `members   ${m.members} active`,
    `invites   ${m.openInvites} open${m.joinListener ? ' (join listener up)' : ''}`,
    ...(m.webPort != null ? [`web       the page phones join by is up on port ${m.webPort}`] : []),
    '',
    `to check a bundle of this mesh anywhere: smesh verify FILE --mesh ${m.id} --root ${m.root}`
  ].join('\n'))
}

export async function runRevoke (dataDir: string, device: string, opts: { reason?: string, json?: boolean }): Promise<void> {
  const r = await apiPost<{ member: MemberRow, entry: EntryView }>(dataDir, '/v1/revoke', { device, ...(opts.reason != null ? { reason: opts.reason } : {}) })
  if (opts.json === true) json(r)
  else out(`revoked ${r.member.name !== '' ? `"${r.member.name}" ` : ''}${r.member.device.slice(0, 16)} (${r.member.peerId}); its entries after seq ${r.member.cutoffSeq ?? '0'} are refused, and every node closes its connections`)
}

export async function runPolicyShow (dataDir: string, opts: { json?: boolean }): Promise<void> {
  const p = await apiGet<{ rules: PolicyRule[], inForceAt?: number }>(dataDir, '/v1/policy')
  if (opts.json === true) {
    json(p)
    return
  }
  const since = p.inForceAt != null ? (p.inForceAt > Date.now() ? ` (in force from ${new Date(p.inForceAt).toLocaleTimeString()})` : ` (in force since ${new Date(p.inForceAt).toLocaleString()})`) : ''
  if (p.rules.length === 0) {
    out(`no policy rules: every action a lease allows is allowed${since}`)
    return
  }
  out(p.rules.map((r, i) => `${String(i + 1).padStart(3)}. ${r.effect.padEnd(5)} ${r.action}${r.subject != null ? ` ${r.subject}` : ''}${r.device != null ? ` from ${r.device}` : ''}`).join('\n') + `\n(the first rule that matches decides; no match allows)${since}`)
}

export async function runPolicySet (dataDir: string, file: string, opts: { json?: boolean }): Promise<void> {
  let text: string
  try {
    text = file === '-' ? await readStdin('policy', MAX_REQUEST_BODY, 'a policy is at most 256 rules') : await readFile(file, 'utf8')
  } catch (err: any) {
    throw new CliError(`cannot read ${file}: ${err.code ?? err.message}`, 'give a JSON file of rules, or - for stdin', 2)
  }
  let v: any
  try {
    v = JSON.parse(text)
  } catch (err: any) {
    throw new CliError(`${file} is not JSON: ${err.message as string}`, 'the file holds {"rules": [{"action": "memory.write", "subject": "secrets/*", "effect": "block"}]}', 2)
  }
  const rules = Array.isArray(v) ? v : v?.rules
  const r = await apiPost<{ rules: PolicyRule[], entry: EntryView, inForceAt: number }>(dataDir, '/v1/policy', { rules })
  if (opts.json === true) json(r)
  else out(`policy set: ${r.rules.length} rule(s), entry ${r.entry.seq} (${r.entry.hash.slice(0, 12)}); every node applies it to entries from ${new Date(r.inForceAt).toLocaleTimeString()} on (in ${Math.max(0, Math.ceil((r.inForceAt - Date.now()) / 1000))} s)`)
}

export async function runApprovals (dataDir: string, opts: { json?: boolean }): Promise<void> {
  const list = await apiGet<PendingAsk[]>(dataDir, '/v1/approvals')
  if (opts.json === true) {
    json(list)
    return
  }
  if (list.length === 0) {
    out('no request waits for approval')
    return
  }
  out(list.map(a => `${a.id}  ${a.action} ${JSON.stringify(a.subject)} from ${a.device.slice(0, 16)}, asked ${since(a.askedAt)}, open for ${duration(a.expiresAt - Date.now())}`).join('\n') + '\n(approve with: smesh approve ID, decline with: smesh approve ID --deny)')
}

export async function runApprove (dataDir: string, id: string, opts: { deny?: boolean, json?: boolean }): Promise<void> {
  const r = await apiPost<{ id: string, approved: boolean }>(dataDir, '/v1/approve', { id, approved: opts.deny !== true })
  if (opts.json === true) json(r)
  else out(`${r.approved ? 'approved' : 'declined'} request ${r.id}`)
}
