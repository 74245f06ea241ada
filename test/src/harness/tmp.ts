import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onCleanup } from './cleanup.js'

/** A fresh temporary directory, removed when the test process ends, however it ends. */
export function tempDir (label = 'smesh-test'): string {
  const dir = mkdtempSync(join(tmpdir(), `${label}-`))
  // SMESH_TEST_KEEP=1 keeps them, to read the nodes' logs after a failure
  if (process.env.SMESH_TEST_KEEP !== '1') onCleanup(() => { rmSync(dir, { recursive: true, force: true }) })
  return dir
}
