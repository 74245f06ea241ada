import { get, set } from 'idb-keyval'
import { store } from './keys.js'

/** What the page remembers of the mesh it joined, to come back as the same device. */
export interface SavedMembership {
  mesh: string
  meshName: string
  networkKey: string
  /** The inviting node: dialed first on the next visit. */
  inviterPeerId: string
  /** Nodes' WebSockets addresses, each with its /p2p/ PeerId. */
  addrs: string[]
  name: string
  scopes: string[]
  leaseExpiresAt: number
  joinedAt: number
}

export async function loadMembership (): Promise<SavedMembership | undefined> {
  return await get<SavedMembership>('membership', store)
}

export async function saveMembership (m: SavedMembership): Promise<void> {
  await set('membership', m, store)
}
