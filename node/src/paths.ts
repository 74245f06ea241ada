import { join } from 'node:path'
import envPaths from 'env-paths'

/** The platform's data directory for smesh (XDG_DATA_HOME/smesh on Linux). */
export function defaultDataDir (): string {
  return envPaths('smesh', { suffix: '' }).data
}

/** --data-dir, then SMESH_DATA_DIR, then the platform default. */
export function resolveDataDir (flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  const dir = flag ?? (env.SMESH_DATA_DIR === '' ? undefined : env.SMESH_DATA_DIR) ?? defaultDataDir()
  return dir
}

export const files = {
  config: (dir: string) => join(dir, 'config.json'),
  apiInfo: (dir: string) => join(dir, 'api.json'),
  apiToken: (dir: string) => join(dir, 'api.token'),
  gatewayKeys: (dir: string) => join(dir, 'gateway-keys.json'),
  lock: (dir: string) => join(dir, 'node.lock'),
  logDir: (dir: string) => join(dir, 'logs'),
  log: (dir: string) => join(dir, 'logs', 'smesh.log'),
  /** GGUF models of the embedded provider. */
  models: (dir: string) => join(dir, 'models')
}
