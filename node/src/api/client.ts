import { readFile } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import type { IncomingMessage } from 'node:http'
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

interface Target {
  options: { socketPath: string, host: string } | { host: string, port: number }
  host: string
  token: string
}

async function target (dataDir: string): Promise<Target> {
  const { info, token } = await readApiInfo(dataDir)
  const url = new URL(info.url)
  return info.socket != null
    ? { options: { socketPath: info.socket, host: 'localhost' }, host: 'localhost', token }
    : { options: { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) }, host: url.host, token }
}

/** Exit codes the CLI uses for what the node answered. */
const STATUS_EXIT: Record<number, number> = { 400: 2, 403: 6, 404: 4 }

function failure (dataDir: string, status: number, text: string): ApiError {
  if (status === 401) return new ApiError('the node refused the API token', 401, `the token in ${files.apiToken(dataDir)} is not the running node's; restart the node or check --data-dir`)
  let body: any
  try {
    body = JSON.parse(text)
  } catch {
    return new ApiError(`the node sent a response that is not JSON (HTTP ${status})`, status)
  }
  return new ApiError(String(body?.error ?? `HTTP ${status}`), status, body?.hint, STATUS_EXIT[status] ?? 1)
}

function requestError (dataDir: string, err: any, timeoutMs: number): Error {
  if (['ECONNREFUSED', 'ENOENT', 'ECONNRESET'].includes(err.code)) return new NodeNotRunningError(dataDir, { cause: err })
  if (err.name === 'AbortError' || err.name === 'TimeoutError') return new ApiError(`the node did not answer within ${timeoutMs / 1000} s`, 0, 'the node may be overloaded; check its log')
  return err
}

export interface RequestOptions {
  signal?: AbortSignal
  /** Default 10 s; long operations pass more. */
  timeoutMs?: number
}

/**
 * The control API of one running node: its address and token are read once.
 * The functions below open one per request (a CLI command makes one or
 * two); a program making many keeps one, with `keepAlive` to reuse its
 * connections.
 */
export class ApiClient {
  private constructor (readonly dataDir: string, private readonly t: Target, private readonly agent?: Agent) {}

  static async open (dataDir: string, options: { keepAlive?: boolean } = {}): Promise<ApiClient> {
    return new ApiClient(dataDir, await target(dataDir), options.keepAlive === true ? new Agent({ keepAlive: true, maxSockets: 64 }) : undefined)
  }

  /** Sends a request and returns the response once its headers are in (status 200), for streaming; `keepAlive: false` takes a connection of its own. */
  async stream (method: 'GET' | 'POST', path: string, body?: unknown, options: RequestOptions & { keepAlive?: boolean } = {}): Promise<IncomingMessage> {
    const { dataDir, t } = this
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    const signal = options.signal ?? AbortSignal.timeout(timeoutMs)
    const payload = body === undefined ? undefined : JSON.stringify(body)
    return await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request({
        ...t.options,
        path,
        method,
        signal,
        ...(this.agent != null ? { agent: options.keepAlive === false ? false : this.agent } : {}),
        headers: {
          authorization: `Bearer ${t.token}`,
          host: t.host,
          accept: 'application/json',
          ...(payload != null ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {})
        }
      }, (res) => {
        if (res.statusCode === 200) {
          resolve(res)
          return
        }
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => { if (chunks.length < 1024) chunks.push(c) })
        res.on('error', reject)
        res.on('end', () => { reject(failure(dataDir, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))) })
      })
      req.on('error', (err: any) => { reject(requestError(dataDir, err, timeoutMs)) })
      req.end(payload)
    })
  }

  /** Sends a request and returns the node's JSON answer. */
  async request <T> (method: 'GET' | 'POST', path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    const res = await this.stream(method, path, body, options)
    const chunks: Buffer[] = []
    let size = 0
    try {
      for await (const c of res) {
        size += (c as Buffer).byteLength
        if (size > MAX_RESPONSE_BYTES) {
          res.destroy()
          throw new ApiError(`response from the node is over ${MAX_RESPONSE_BYTES} bytes`, 0)
        }
        chunks.push(c as Buffer)
      }
    } catch (err: any) {
      throw err instanceof ApiError ? err : requestError(this.dataDir, err, timeoutMs)
    }
    const text = Buffer.concat(chunks).toString('utf8')
    try {
      return (text === '' ? undefined : JSON.parse(text)) as T
    } catch {
      throw new ApiError('the node sent a response that is not JSON (HTTP 200)', 200)
    }
  }

  async get <T> (path: string, options: RequestOptions = {}): Promise<T> {
    return await this.request<T>('GET', path, undefined, options)
  }

  async post <T> (path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    return await this.request<T>('POST', path, body, options)
  }

  /** Closes kept connections. */
  close (): void {
    this.agent?.destroy()
  }
}

/** Sends a request to the node of `dataDir` and returns the response once its headers are in (status 200), for streaming. */
export async function apiStream (dataDir: string, method: 'GET' | 'POST', path: string, body?: unknown, options: RequestOptions = {}): Promise<IncomingMessage> {
  return await (await ApiClient.open(dataDir)).stream(method, path, body, options)
}

/** Sends a request to the node of `dataDir` and returns its JSON answer; throws NodeNotRunningError when there is none. */
export async function apiRequest <T> (dataDir: string, method: 'GET' | 'POST', path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  return await (await ApiClient.open(dataDir)).request<T>(method, path, body, options)
}

/** GETs `path` from the node of `dataDir`; throws NodeNotRunningError when there is none. */
export async function apiGet <T> (dataDir: string, path: string, options: { signal?: AbortSignal } = {}): Promise<T> {
  return await apiRequest<T>(dataDir, 'GET', path, undefined, options)
}

/** POSTs a JSON body to `path`. */
export async function apiPost <T> (dataDir: string, path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
  return await apiRequest<T>(dataDir, 'POST', path, body, options)
}
