import { rename, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { BUS_DIR } from '@smesh/bus'
import { acquireLock } from '../../lock.js'
import { CliError } from '../cli-error.js'

/**
 * `smesh bus repair`: with the node stopped, moves a damaged bus store aside
 * (nothing is deleted). The next start opens a new store and, its key being
 * old, signs nothing until a peer has given back this node's own chain; every
 * other chain comes back by the usual sync.
 */
export async function runBusRepair (dataDir: string, opts: { json?: boolean }): Promise<void> {
  const store = join(dataDir, BUS_DIR)
  if (!await stat(store).then(s => s.isDirectory(), () => false)) throw new CliError(`there is no bus store at ${store}`, 'nothing to repair: the next start creates one and relearns it from peers', 2)
  // the lock says whether a node runs on this data dir; it is released at once
  const release = await acquireLock(dataDir)
  const aside = join(dataDir, `${BUS_DIR}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`)
  try {
    await rename(store, aside)
  } finally {
    await release()
  }
  const r = { movedTo: aside, next: 'start the node where a peer is reachable (the LAN or --peer): it relearns every entry, its own chain first, before it signs again' }
  process.stdout.write(opts.json === true ? JSON.stringify(r) + '\n' : `moved the damaged store to ${aside}\n${r.next}; delete the old copy once the node is back in step\n`)
}
