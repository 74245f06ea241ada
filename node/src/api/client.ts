import { readFile } from 'node:fs/promises'
import { request } from 'node:http'
import { ApiError, NodeNotRunningError } from '../errors.js'
import { files } from '../paths.js'
import { isAlive } from '../pid.js'

/** What a running node writes to `<dataDir>/api.json` so the CLI can find it. */
export interface ApiInfo {
  pid: number
  url: string
  socket?: string
  peerId: string
}

const MAX_RESPONSE_BYTES = 16 * 1024 * 1024
const DEFAULT_TIMEOUT_MS = 10_000

async function readApiInfo (dataDir: string): Promise<{ info: ApiInfo, token: string }> {
  try {
    const info = JSON.parse(await readFile(files.apiInfo(dataDir), 'utf8')) as ApiInfo
    const token = (await readFile(files.apiToken(dataDir), 'utf8')).trim()
    if (!isAlive(info.pid)) throw new NodeNotRunningError(dataDir)
    return { info, token }
  } catch (err: any) {
    if (err instanceof NodeNotRunningError) throw err
    if (err.code === 'ENOENT' || err instanceof SyntaxError) throw new NodeNotRunningError(dataDir, { cause: err })
    throw err
  }
}

/** GETs `path` from the node of `dataDir`; throws NodeNotRunningError when there is none. */
export async function apiGet <T> (dataDir: string, path: string, options: { signal?: AbortSignal } = {}): Promise<T> {
  const { info, token } = await readApiInfo(dataDir)
  const signal = options.signal ?? AbortSignal.timeout(DEFAULT_TIMEOUT_MS)
  const target = info.socket != null ? { socketPath: info.socket, host: 'localhost' } : { host: new URL(info.url).hostname.replace(/^\[|\]$/g, ''), port: Number(new URL(info.url).port) }
  const hostHeader = info.socket != null ? 'localhost' : new URL(info.url).host
  return await new Promise<T>((resolve, reject) => {
    const req = request({
      ...target,
      path,
      method: 'GET',
      signal,
      headers: { authorization: `Bearer ${token}`, host: hostHeader, accept: 'application/json' }
    }, (res) => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (c: Buffer) => {
        size += c.byteLength
        if (size > MAX_RESPONSE_BYTES) {
          req.destroy(new ApiError(`response from the node is over ${MAX_RESPONSE_BYTES} bytes`, 0))
          return
        }
        chunks.push(c)
      })
      res.on('error', reject)
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        if (res.statusCode === 401) {
          reject(new ApiError('the node refused the API token', 401, `the token in ${files.apiToken(dataDir)} is not the running node's; restart the node or check --data-dir`))
          return
        }
        let body: any
        try {
          body = text === '' ? undefined : JSON.parse(text)
        } catch {
          reject(new ApiError(`the node sent a response that is not JSON (HTTP ${res.statusCode ?? 0})`, res.statusCode ?? 0))
          return
        }
        if (res.statusCode !== 200) {
          reject(new ApiError(`the node answered HTTP ${res.statusCode ?? 0}: ${body?.error ?? ''}`, res.statusCode ?? 0))
          return
        }
        resolve(body as T)
      })
    })
    req.on('error', (err: any) => {
      if (['ECONNREFUSED', 'ENOENT', 'ECONNRESET'].includes(err.code)) {
        reject(new NodeNotRunningError(dataDir, { cause: err }))
      } else if (err.name === 'AbortError' || err.name === 'TimeoutError') {
        reject(new ApiError(`the node did not answer within ${DEFAULT_TIMEOUT_MS / 1000} s`, 0, 'the node may be overloaded; check its log'))
      } else {
        reject(err)
      }
    })
    req.end()
  })
}
