import { peerIdFromString } from '@libp2p/peer-id'

/**
 * A serving node's receipt for a task it ran: its Ed25519 signature (the
 * libp2p key its PeerId names) over what it served. The submitter keeps it
 * in its one task record, so every device holds proof of who served the
 * task, what model and digest, and how many tokens, without a bus entry of
 * the server's own (an ML-DSA-65 signature, 3.3 KB, on every device).
 */
export interface ReceiptFields {
  task: string
  /** PeerId of the node that submitted the task. */
  submitter: string
  provider: string
  model: string
  digest: string
  tier: string
  inputTokens: number
  outputTokens: number
}

const PREFIX = 'smesh/task-receipt/1\n'
/** An Ed25519 signature. */
export const RECEIPT_BYTES = 64

/** The bytes a receipt signs: the prefix, then the fields as a JSON array in a fixed order. */
export function receiptBytes (r: ReceiptFields): Uint8Array {
  return new TextEncoder().encode(PREFIX + JSON.stringify([r.task, r.submitter, r.provider, r.model, r.digest, r.tier, r.inputTokens, r.outputTokens]))
}

/** Whether `signature` is `server`'s receipt for these fields; false for anything malformed, never throws. */
export async function verifyReceipt (server: string, r: ReceiptFields, signature: Uint8Array): Promise<boolean> {
  try {
    const key = peerIdFromString(server).publicKey
    if (key?.type !== 'Ed25519' || signature.byteLength !== RECEIPT_BYTES) return false
    return await key.verify(receiptBytes(r), signature)
  } catch {
    return false
  }
}
