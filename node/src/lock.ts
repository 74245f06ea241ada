import { constants, open, readFile, rm } from 'node:fs/promises'
import { isAlive } from './api/client.js'
import { NodeAlreadyRunningError } from './errors.js'
import { files } from './paths.js'

/**
 * Takes `<dataDir>/node.lock` so two nodes never share a data dir. A lock
 * left by a process that no longer exists (SIGKILL, power loss) is taken over.
 */
export async function acquireLock (dataDir: string): Promise<() => Promise<void>> {
  const path = files.lock(dataDir)
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600)
      await fh.writeFile(String(process.pid))
      await fh.close()
      return async () => { await rm(path, { force: true }) }
    } catch (err: any) {
      if (err.code !== 'EEXIST') throw err
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim())
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new NodeAlreadyRunningError(dataDir, pid)
      }
      await rm(path, { force: true })
    }
  }
  throw new Error(`could not take the lock ${path}`)
}
