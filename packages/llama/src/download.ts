import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { ModelFileError } from './errors.js'
import type { Hash } from 'node:crypto'

export interface TransferProgress {
  /** Bytes in the file so far (a resumed download counts what it had). */
  done: number
  /** Bytes in all; 0 when the server does not say. */
  total: number
  /** Bytes this run started from (resumed), for the rate. */
  resumedFrom: number
}

export interface TransferOptions {
  onProgress?: (p: TransferProgress) => void
  signal?: AbortSignal
}

/** The longest model a download may bring (1 TiB): a server cannot fill the disk past what it declared. */
const MAX_MODEL_BYTES = 2 ** 40

/** What a cut download left beside its .part file (PART.state.json), so that the next run resumes only the same URL and version. */
interface PartState { urlHash: string, etag?: string, lastModified?: string }

/** The state file of a part file: removed by the caller once the model is in place. */
export const statePathOf = (part: string): string => `${part}.state.json`

/** The URL as the state file keeps it: a hash (a query may hold a token). */
const urlHash = (url: string): string => createHash('sha256').update(url).digest('hex')

async function hashFile (path: string, hash: Hash, signal?: AbortSignal): Promise<number> {
  let n = 0
  for await (const chunk of createReadStream(path, { signal })) {
    hash.update(chunk as Buffer)
    n += (chunk as Buffer).length
  }
  return n
}

async function readState (path: string): Promise<PartState | undefined> {
  try {
    const s = JSON.parse(await readFile(path, 'utf8')) as PartState
    return typeof s.urlHash === 'string' ? s : undefined
  } catch {
    return undefined
  }
}

/** Node's fetch with the proxy of HTTPS_PROXY / HTTP_PROXY / NO_PROXY, where one is set (undici's EnvHttpProxyAgent). */
async function proxiedFetch (url: string, init: RequestInit): Promise<Response> {
  const env = process.env
  const proxied = [env.HTTPS_PROXY, env.https_proxy, env.HTTP_PROXY, env.http_proxy].some(v => v != null && v !== '')
  if (!proxied) return await fetch(url, init)
  const { EnvHttpProxyAgent, fetch: undiciFetch } = await import('undici')
  return await (undiciFetch as unknown as typeof fetch)(url, { ...init, dispatcher: new EnvHttpProxyAgent() } as RequestInit)
}

function cut (url: string, done: number, total: number, err: unknown): ModelFileError {
  const of = total > 0 ? ` of ${total}` : ''
  return new ModelFileError('download', `the download from ${safeUrl(url)} stopped at ${done}${of} bytes (${String((err as Error)?.message ?? err).slice(0, 120)})`, { cause: err, hint: 'run the same command again: it resumes where it stopped' })
}

/** A URL without its credentials or query (which may carry a token), for messages. */
export function safeUrl (url: string): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}`
  } catch {
    return '(the URL)'
  }
}

/**
 * Downloads `url` into `part`, resuming a part file an earlier run left for
 * the same URL (HTTP Range, guarded by If-Range), and returns the SHA-256 of
 * the whole file. A cut connection leaves the part file for the next run.
 */
export async function download (url: string, part: string, options: TransferOptions = {}): Promise<{ sha256: string, bytes: number }> {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new ModelFileError('download', 'the URL is not valid', { hint: 'give an http:// or https:// URL' })
  }
  if (parsed.username !== '' || parsed.password !== '') throw new ModelFileError('download', 'a URL with a user name or password is refused (it would be kept in files and errors)', { hint: 'download the file with a tool that takes the credential, then smesh model add FILE' })
  const { signal } = options
  const statePath = statePathOf(part)
  const hash = createHash('sha256')
  const state = await readState(statePath)
  let have = 0
  // resume only the same URL, and only when the server gave a validator for If-Range (else two versions could be spliced)
  const validator = state?.etag ?? state?.lastModified
  if (state?.urlHash === urlHash(url) && validator != null) {
    try {
      have = await hashFile(part, hash, signal)
    } catch (err: any) {
      if (err?.code !== 'ENOENT') throw err
    }
  }
  // identity: a compressed body would not match the lengths the server declares
  const headers: Record<string, string> = { 'user-agent': 'smesh-model-add', 'accept-encoding': 'identity' }
  if (have > 0 && validator != null) {
    headers.range = `bytes=${have}-`
    headers['if-range'] = validator
  }
  let res = await request(url, headers, have, signal)
  if (res.status === 416 && have > 0) {
    await res.body?.cancel()
    const m = /^bytes \*\/(\d+)$/.exec(res.headers.get('content-range') ?? '')
    // the part already holds every byte
    if (m != null && Number(m[1]) === have) return { sha256: hash.digest('hex'), bytes: have }
    res = await request(url, { ...headers, range: '', 'if-range': '' }, 0, signal)
    have = 0
  }
  if (res.status === 206) {
    const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '')
    if (m == null || Number(m[1]) !== have) {
      // a range other than the one asked for: start again, whole
      await res.body?.cancel()
      res = await request(url, { 'user-agent': headers['user-agent'] as string, 'accept-encoding': 'identity' }, 0, signal)
    } else {
      const whole = m[2] === '*' ? 0 : Number(m[2])
      const total = whole > 0 ? whole : have + Number(res.headers.get('content-length') ?? 0)
      const bytes = await receive(url, part, res, hash, { have, total, resumedFrom: have, signal, onProgress: options.onProgress })
      return { sha256: hash.digest('hex'), bytes }
    }
  }
  if (res.status !== 200) {
    await res.body?.cancel()
    throw new ModelFileError('download', `${safeUrl(url)} answered HTTP ${res.status}`)
  }
  hash.destroy()
  return await fresh(url, part, res, options)
}

async function request (url: string, headers: Record<string, string>, have: number, signal?: AbortSignal): Promise<Response> {
  const clean = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== ''))
  try {
    return await proxiedFetch(url, { headers: clean, signal, redirect: 'follow' })
  } catch (err) {
    signal?.throwIfAborted()
    throw cut(url, have, 0, err)
  }
}

async function fresh (url: string, part: string, res: Response, options: TransferOptions): Promise<{ sha256: string, bytes: number }> {
  await rm(part, { force: true })
  const state: PartState = { urlHash: urlHash(url), ...(res.headers.get('etag') != null ? { etag: res.headers.get('etag') as string } : {}), ...(res.headers.get('last-modified') != null ? { lastModified: res.headers.get('last-modified') as string } : {}) }
  await writeFile(statePathOf(part), JSON.stringify(state))
  const hash = createHash('sha256')
  const total = Number(res.headers.get('content-length') ?? 0)
  const bytes = await receive(url, part, res, hash, { have: 0, total, resumedFrom: 0, signal: options.signal, onProgress: options.onProgress })
  return { sha256: hash.digest('hex'), bytes }
}

async function receive (url: string, part: string, res: Response, hash: Hash, o: { have: number, total: number, resumedFrom: number } & TransferOptions): Promise<number> {
  if (o.total > MAX_MODEL_BYTES) {
    await res.body?.cancel()
    throw new ModelFileError('download', `${safeUrl(url)} declares ${o.total} bytes, over the limit of ${MAX_MODEL_BYTES}`)
  }
  const fh = await open(part, 'a')
  let done = o.have
  try {
    if (res.body == null) throw new Error('no body')
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      done += chunk.byteLength
      if (done > MAX_MODEL_BYTES || (o.total > 0 && done > o.total)) throw new ModelFileError('download', `${safeUrl(url)} sent more bytes than it declared`)
      await fh.write(chunk)
      hash.update(chunk)
      o.onProgress?.({ done, total: o.total, resumedFrom: o.resumedFrom })
    }
  } catch (err) {
    await fh.close()
    o.signal?.throwIfAborted()
    if (err instanceof ModelFileError) throw err
    throw cut(url, done, o.total, err)
  }
  await fh.close()
  if (o.total > 0 && done < o.total) throw cut(url, done, o.total, new Error('the connection closed early'))
  return (await stat(part)).size
}
