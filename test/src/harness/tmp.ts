import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const dirs = new Set<string>()
let installed = false

/** A fresh temporary directory, removed when the test process exits. */
export function tempDir (label = 'smesh-test'): string {
  if (!installed) {
    installed = true
    process.on('exit', () => { for (const d of dirs) rmSync(d, { recursive: true, force: true }) })
  }
  const dir = mkdtempSync(join(tmpdir(), `${label}-`))
  dirs.add(dir)
  return dir
}
