import { apiGet, apiPost } from '../../api/client.js'
import { formatMemoryList, formatMemoryValue } from '../format-bus.js'
import { readStdin } from '../stdin.js'
import type { EntryView, MemoryItem } from '@smesh/bus'

const out = (s: string): void => { process.stdout.write(s + '\n') }
const MAX_STDIN = 60 * 1024


export async function runMemorySet (dataDir: string, key: string, value: string | undefined, opts: { json?: boolean }): Promise<void> {
  const v = value == null || value === '-' ? (await readStdin('value', MAX_STDIN, 'memory values are small records; keep them under 60 KiB')).replace(/\n$/, '') : value
  const e = await apiPost<EntryView>(dataDir, '/v1/memory/set', { key, value: v })
  out(opts.json === true ? JSON.stringify(e, null, 2) : `set ${key} (entry ${e.seq}, ${e.hash.slice(0, 12)}, on disk)`)
}

export async function runMemoryGet (dataDir: string, key: string, opts: { json?: boolean }): Promise<void> {
  const item = await apiGet<MemoryItem>(dataDir, `/v1/memory/get?key=${encodeURIComponent(key)}`)
  out(opts.json === true ? JSON.stringify(item, null, 2) : formatMemoryValue(item))
}

export async function runMemoryList (dataDir: string, prefix: string | undefined, opts: { json?: boolean }): Promise<void> {
  const items = await apiGet<MemoryItem[]>(dataDir, `/v1/memory/list?prefix=${encodeURIComponent(prefix ?? '')}`)
  out(opts.json === true ? JSON.stringify(items, null, 2) : formatMemoryList(items))
}

export async function runMemoryRm (dataDir: string, key: string, opts: { json?: boolean }): Promise<void> {
  const e = await apiPost<EntryView>(dataDir, '/v1/memory/rm', { key })
  out(opts.json === true ? JSON.stringify(e, null, 2) : `removed ${key} (entry ${e.seq}, ${e.hash.slice(0, 12)})`)
}
