import { useEffect, useState } from 'preact/hooks'
import { withChain } from './chain.js'
import { NotWrittenError, RefusedError } from './errors.js'
import { push } from './push.js'
import { readView } from './read.js'
import type { DeviceKeys } from './keys.js'
import type { Libp2p } from '@libp2p/interface'

interface MemoryItem { key: string, value: unknown }
interface Verdict { effect: 'allow' | 'ask' | 'block', action?: string, subject?: string, message: string }
interface AskStatus { status: 'pending' | 'approved' | 'declined' | 'expired' }

const ASK_WAIT_MS = 10 * 60_000
const encode = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v))
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

function randomId (): string {
  return [...crypto.getRandomValues(new Uint8Array(8))].map(b => b.toString(16).padStart(2, '0')).join('')
}

/**
 * Writes a memory entry signed by this device: asks the node first what the
 * lease and policy say (so it never signs what every node would refuse); an
 * "ask" rule gets a policy.ask of its own and waits for an admin.
 */
async function writeMemory (peer: Libp2p, node: string, keys: DeviceKeys, key: string, value: unknown, onStatus: (s: string) => void): Promise<void> {
  /** Signs the next entry and hands it to the node; one the node refused (kept by no one) is taken back. */
  const signAndPush = async (kind: string, body: Uint8Array): Promise<void> => {
    await withChain(keys, async (chain) => {
      const e = await chain.sign(kind, body)
      try {
        await push(peer, node, chain, e.bytes)
      } catch (err) {
        if (err instanceof RefusedError && err.code === 'refused') await chain.takeBack(e)
        throw err
      }
    })
  }
  let body: Record<string, unknown> = { key, value }
  const verdict = await readView<Verdict>(peer, node, 'verdict', `memory.put\n${JSON.stringify(body)}`)
  if (verdict.effect === 'block') throw new NotWrittenError(verdict.message)
  if (verdict.effect === 'ask') {
    const id = randomId()
    const expiresAt = Date.now() + ASK_WAIT_MS
    await signAndPush('policy.ask', encode({ action: verdict.action, subject: verdict.subject, device: keys.device, id, expiresAt }))
    onStatus(`waiting for an admin's approval (${verdict.message}; on an admin device: smesh approvals, then smesh approve ${id})`)
    for (;;) {
      if (Date.now() > expiresAt) throw new NotWrittenError('no admin answered the ask in time')
      await sleep(1_000)
      const s = await readView<AskStatus>(peer, node, 'approval', id).catch(() => ({ status: 'pending' as const }))
      if (s.status === 'approved') break
      if (s.status !== 'pending') throw new NotWrittenError(`the admin's answer: ${s.status}`)
    }
    body = { ...body, approvals: [id] }
  }
  await signAndPush('memory.put', encode(body))
}

/** The mesh's memory: browse under a prefix, and write where the lease and the policy allow. */
export function Memory ({ conn, keys }: { conn?: { peer: Libp2p, node: string }, keys: DeviceKeys }) {
  const [prefix, setPrefix] = useState('')
  const [items, setItems] = useState<MemoryItem[]>([])
  const [key, setKey] = useState('')
  const [value, setValue] = useState('')
  const [status, setStatus] = useState('')
  const [saving, setSaving] = useState(false)
  const load = async (): Promise<void> => {
    if (conn != null) setItems(await readView<MemoryItem[]>(conn.peer, conn.node, 'memory', prefix).catch(() => []))
  }
  useEffect(() => { void load() }, [conn])

  const save = async (): Promise<void> => {
    if (key.trim() === '' || conn == null || saving) return
    let v: unknown = value
    try { v = JSON.parse(value) } catch { /* kept as text */ }
    setStatus('signing…')
    setSaving(true)
    try {
      await writeMemory(conn.peer, conn.node, keys, key.trim(), v, setStatus)
      setStatus(`saved ${key.trim()}`)
      await load()
    } catch (err) {
      setStatus(`not saved: ${err instanceof Error ? err.message : String(err)}`)
    } finally {
      setSaving(false)
    }
  }

  return (
    <section class="memory">
      <h2>Memory</h2>
      <form onSubmit={(e) => { e.preventDefault(); void load() }} class="row">
        <label>Prefix <input data-testid="memory-prefix" value={prefix} onInput={(e) => { setPrefix((e.target as HTMLInputElement).value) }} /></label>
        <button type="submit">Show</button>
      </form>
      <ul data-testid="memory">
        {items.map(m => <li key={m.key}><code>{m.key}</code> {typeof m.value === 'string' ? m.value : JSON.stringify(m.value)}</li>)}
      </ul>
      <form onSubmit={(e) => { e.preventDefault(); void save() }}>
        <label>Key <input data-testid="memory-key" value={key} onInput={(e) => { setKey((e.target as HTMLInputElement).value) }} /></label>
        <label>Value <input data-testid="memory-value" value={value} onInput={(e) => { setValue((e.target as HTMLInputElement).value) }} /></label>
        <button type="submit" disabled={conn == null || saving}>Save</button>
      </form>
      {status !== '' && <p data-testid="memory-status" class="quiet">{status}</p>}
    </section>
  )
}
