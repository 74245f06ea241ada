import { readFile, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { SmeshProcess } from './smesh-process.js'

/** A secret as it could leak: plain, base64, base64url and hex. */
export function secretForms (secret: string): string[] {
  const b = Buffer.from(secret)
  return [secret, b.toString('base64'), b.toString('base64url'), b.toString('hex')]
}

/** Every regular file under `dir`, recursively. */
export async function filesUnder (dir: string): Promise<string[]> {
  const out: string[] = []
  for (const name of await readdir(dir)) {
    const p = join(dir, name)
    const s = await stat(p).catch(() => undefined)
    if (s?.isDirectory() === true) out.push(...await filesUnder(p))
    else if (s?.isFile() === true) out.push(p)
  }
  return out
}

/** Where a node could leak a secret: every file of its data dir (sockets aside) and its output, named. */
export async function nodeHaystacks (nodes: SmeshProcess[]): Promise<Array<[string, Buffer]>> {
  const out: Array<[string, Buffer]> = []
  for (const p of nodes) {
    for (const f of await filesUnder(p.dataDir)) {
      if (f.endsWith('.sock')) continue
      out.push([f, await readFile(f)])
    }
    out.push([`${p.name} stdout+stderr`, Buffer.from(p.stdout + p.stderr)])
  }
  return out
}
