import { join } from 'node:path'
import { encodeBinding } from '@smesh/identity'
import { Bus } from './bus.js'
import { createSigner } from './crypto.js'
import { LevelStorage } from './store/level-storage.js'
import { FileWitness } from './store/witness.js'
import type { Identity } from '@smesh/identity'
import type { EntryAdmission } from './bus-types.js'

export const BUS_DIR = 'bus'
/** This node's own head, beside the store (store/witness.ts). */
export const BUS_WITNESS = 'bus-head.json'

/** Opens the bus of a node's data dir (`<dataDir>/bus`, LevelDB) with the node's identity. */
export async function openBus (dataDir: string, identity: Identity, options: { newChain?: boolean, confirmTimeoutMs?: number, admission?: EntryAdmission } = {}): Promise<Bus> {
  const bus = new Bus({
    storage: new LevelStorage(join(dataDir, BUS_DIR)),
    signer: createSigner(identity.pqSeed),
    binding: encodeBinding(identity.binding),
    identityCreated: identity.created,
    newChain: options.newChain,
    confirmTimeoutMs: options.confirmTimeoutMs,
    admission: options.admission,
    witness: new FileWitness(join(dataDir, BUS_WITNESS))
  })
  await bus.open()
  return bus
}
