import { rm, stat } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { IDENTITY_DIR, loadOrCreateIdentity } from '@smesh/identity'
import { MeshExistsError, decodeToken, readMeshConfigIfAny, writeMeshConfig } from '@smesh/membership'
import { joinWithToken } from '../../mesh/join-device.js'
import { newBusStore } from './mesh.js'
import { runStart } from './start.js'
import type { Command } from 'commander'

async function exists (path: string): Promise<boolean> {
  return await stat(path).then(() => true, () => false)
}

/**
 * `smesh join TOKEN`: joins the mesh of the token, then runs the node (unless
 * --no-start). A refused or failed join leaves the data dir as it was: an
 * identity made for the attempt is removed again.
 */
export async function runJoin (dataDir: string, token: string, opts: Record<string, unknown>, cmd: Command): Promise<void> {
  const invite = decodeToken(token)
  const existing = await readMeshConfigIfAny(dataDir)
  if (existing != null) throw new MeshExistsError(dataDir, `${existing.name} (${existing.id})`)
  const dirExisted = await exists(dataDir)
  const identityExisted = await exists(join(dataDir, IDENTITY_DIR))
  const name = typeof opts.name === 'string' ? opts.name : hostname()
  const started = performance.now()
  try {
    const identity = await loadOrCreateIdentity(dataDir)
    const result = await joinWithToken(invite, identity, name, {
      onAttempt: (addr) => { process.stderr.write(`joining mesh "${invite.name}" through ${addr}\n`) }
    })
    await writeMeshConfig(dataDir, {
      version: 1,
      id: invite.mesh,
      name: invite.name,
      networkKey: invite.networkKey,
      root: invite.root,
      rootPeerId: invite.rootPeerId,
      createdAt: Date.now(),
      lease: { device: identity.pqFingerprint, scopes: result.scopes, issuedAt: Date.now(), expiresAt: result.leaseExpiresAt },
      introducer: { peerId: invite.inviterPeerId, addrs: result.addrs.map(a => a.includes('/p2p/') ? a : `${a}/p2p/${invite.inviterPeerId}`) }
    })
    await newBusStore(dataDir, identity)
    const summary = { mesh: invite.mesh, name: invite.name, device: identity.pqFingerprint, peerId: identity.peerId.toString(), scopes: result.scopes, leaseExpiresAt: result.leaseExpiresAt, ms: Math.round(performance.now() - started) }
    if (opts.json === true) process.stdout.write(JSON.stringify(summary) + '\n')
    else process.stdout.write(`joined mesh "${invite.name}" (${invite.mesh}) as ${summary.device.slice(0, 16)}, scopes ${result.scopes.join(', ')}, lease until ${new Date(result.leaseExpiresAt).toISOString()}\n`)
  } catch (err) {
    if (!identityExisted) await rm(join(dataDir, IDENTITY_DIR), { recursive: true, force: true })
    if (!dirExisted) await rm(dataDir, { recursive: true, force: true })
    throw err
  }
  if (opts.start !== false) await runStart(dataDir, opts, cmd)
}
