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

/** What a cut download left beside its .part file, so that the next run resumes only the same URL and version. */
interface PartState { url: string, etag?: string, lastModified?: string }

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
    return typeof s.url === 'string' ? s : undefined
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
  const { signal, onProgress } = options
  const statePath = `${part}.json`
  const hash = createHash('sha256')
  const state = await readState(statePath)
  let have = 0
  if (state?.url === url) {
    try {
      have = await hashFile(part, hash, signal)
    } catch (err: any) {
      if (err?.code !== 'ENOENT') throw err
    }
  }
  const headers: Record<string, string> = { 'user-agent': 'smesh-model-add' }
  if (have > 0) {
    headers.range = `bytes=${have}-`
    const validator = state?.etag ?? state?.lastModified
    if (validator != null) headers['if-range'] = validator
  }
  let res: Response
  try {
    res = await proxiedFetch(url, { headers, signal, redirect: 'follow' })
  } catch (err) {
    signal?.throwIfAborted()
    throw cut(url, have, 0, err)
  }
  if (res.status === 416 && have > 0) {
    // the part already holds every byte
    await res.body?.cancel()
    return { sha256: hash.digest('hex'), bytes: have }
  }
  if (res.status !== 200 && res.status !== 206) {
    await res.body?.cancel()
    throw new ModelFileError('download', `${safeUrl(url)} answered HTTP ${res.status}`)
  }
  const resumedFrom = have
  let restart = res.status === 200
  if (res.status === 206) {
    const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '')
    if (m == null || Number(m[1]) !== have) restart = true
  }
  if (restart) {
    hash.destroy()
    return await fresh(url, part, res, options)
  }
  const total = have + Number(res.headers.get('content-length') ?? 0)
  const bytes = await receive(url, part, res, hash, { have, total, resumedFrom, signal, onProgress, statePath })
  return { sha256: hash.digest('hex'), bytes }
}

async function fresh (url: string, part: string, res: Response, options: TransferOptions): Promise<{ sha256: string, bytes: number }> {
  const statePath = `${part}.json`
  await rm(part, { force: true })
  const state: PartState = { url, ...(res.headers.get('etag') != null ? { etag: res.headers.get('etag') as string } : {}), ...(res.headers.get('last-modified') != null ? { lastModified: res.headers.get('last-modified') as string } : {}) }
  await writeFile(statePath, JSON.stringify(state))
  const hash = createHash('sha256')
  const total = Number(res.headers.get('content-length') ?? 0)
  const bytes = await receive(url, part, res, hash, { have: 0, total, resumedFrom: 0, signal: options.signal, onProgress: options.onProgress, statePath })
  return { sha256: hash.digest('hex'), bytes }
}

async function receive (url: string, part: string, res: Response, hash: Hash, o: { have: number, total: number, resumedFrom: number, statePath: string } & TransferOptions): Promise<number> {
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
  await rm(o.statePath, { force: true })
  return (await stat(part)).size
}
