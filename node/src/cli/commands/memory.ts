import { apiGet, apiPost } from '../../api/client.js'
import { formatMemoryList, formatMemoryValue } from '../format-bus.js'
import { CliError } from '../cli-error.js'
import type { EntryView, MemoryItem } from '@smesh/bus'

const out = (s: string): void => { process.stdout.write(s + '\n') }
const MAX_STDIN = 60 * 1024

async function readStdin (): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const c of process.stdin) {
    size += (c as Buffer).byteLength
    if (size > MAX_STDIN) throw new CliError(`the value on stdin is over ${MAX_STDIN} bytes`, 'memory values are small records; keep them under 60 KiB', 2)
    chunks.push(c as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\n$/, '')
}

export async function runMemorySet (dataDir: string, key: string, value: string | undefined, opts: { json?: boolean }): Promise<void> {
  const v = value == null || value === '-' ? await readStdin() : value
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
