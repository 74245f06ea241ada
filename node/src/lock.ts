import { randomBytes } from 'node:crypto'
import { link, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { isAlive } from './pid.js'
import { NodeAlreadyRunningError } from './errors.js'
import { files } from './paths.js'

/** A lock file younger than this with no readable pid is taken as being written. */
const FRESH_LOCK_MS = 5_000

/**
 * Takes `<dataDir>/node.lock` so two nodes never share a data dir. The lock
 * appears atomically with the pid already in it (written to a temporary file,
 * then hard-linked into place). A lock whose process no longer exists
 * (SIGKILL, power loss) is taken over. Returns the release function, which
 * removes the lock only while it still holds this process's pid.
 */
export async function acquireLock (dataDir: string): Promise<() => Promise<void>> {
  const path = files.lock(dataDir)
  const mine = String(process.pid)
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`
  await writeFile(tmp, mine, { mode: 0o600 })
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(tmp, path)
        return async () => {
          const holder = await readFile(path, 'utf8').catch(() => '')
          if (holder.trim() === mine) await rm(path, { force: true })
        }
      } catch (err: any) {
        if (err.code !== 'EEXIST') throw err
      }
      const text = await readFile(path, 'utf8').catch(() => '')
      const pid = Number(text.trim())
      if (Number.isInteger(pid) && pid > 0) {
        if (pid !== process.pid && isAlive(pid)) throw new NodeAlreadyRunningError(dataDir, pid)
      } else {
        const age = await stat(path).then(s => Date.now() - s.mtimeMs, () => Infinity)
        if (age < FRESH_LOCK_MS) throw new NodeAlreadyRunningError(dataDir, 0)
      }
      // stale: remove it only if it is still the same stale lock
      if ((await readFile(path, 'utf8').catch(() => '')) === text) await rm(path, { force: true })
    }
    throw new NodeAlreadyRunningError(dataDir, 0)
  } finally {
    await rm(tmp, { force: true })
  }
}
