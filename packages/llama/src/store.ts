import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { download, safeUrl, statePathOf } from './download.js'
import { ModelFileError } from './errors.js'
import { inspectModel } from './inspect.js'
import type { TransferOptions } from './download.js'
import type { ModelCard } from './inspect.js'

/** A model in the directory, validated: what it is, its digest, when it came. */
export interface StoredModel {
  name: string
  path: string
  sizeBytes: number
  /** SHA-256 of the file, hex. */
  sha256: string
  card: ModelCard
  addedAt: number
  /** Where it came from (a URL without its query, or "file"). */
  source: string
}

/** The record beside NAME.gguf (NAME.gguf.json): the model is listed only while it matches the file. */
interface Sidecar extends Omit<StoredModel, 'name' | 'path'> {
  version: 1
  mtimeMs: number
}

export interface AddOptions extends TransferOptions {
  name?: string
  /** The SHA-256 the file must have (hex). */
  sha256?: string
  /** Called once the bytes are in, while the file is checked. */
  onValidate?: () => void
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/
const EXT = '.gguf'

/** A model name from a file or URL: its base name without .gguf. */
export function modelNameOf (source: string): string {
  let base = source
  try {
    if (/^https?:\/\//i.test(source)) base = decodeURIComponent(new URL(source).pathname)
  } catch {
    // not a URL after all: its text is the name's source
  }
  return basename(base).replace(/\.gguf$/i, '').replace(/[^A-Za-z0-9._:-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64)
}

export function checkModelName (name: string): string {
  if (!NAME.test(name)) throw new ModelFileError('name', `"${name.slice(0, 80)}" is not a valid model name`)
  return name
}

/**
 * The GGUF models of one device, in one directory: NAME.gguf and its
 * record NAME.gguf.json, written only after the file validated (so a
 * model being copied or downloaded is never listed); NAME.gguf.part while
 * a transfer runs.
 */
export class ModelStore {
  constructor (readonly dir: string) {}

  private pathOf (name: string): string { return join(this.dir, `${name}${EXT}`) }

  /** The validated models, and files without a valid record (dropped in by hand, or changed since). */
  async scan (): Promise<{ models: StoredModel[], pending: string[] }> {
    let files: string[]
    try {
      files = await readdir(this.dir)
    } catch (err: any) {
      if (err?.code === 'ENOENT') return { models: [], pending: [] }
      throw err
    }
    const models: StoredModel[] = []
    const pending: string[] = []
    for (const f of files.sort()) {
      if (!f.endsWith(EXT)) continue
      const name = f.slice(0, -EXT.length)
      if (!NAME.test(name)) continue
      const model = await this.read(name)
      if (model != null) models.push(model)
      else pending.push(name)
    }
    return { models, pending }
  }

  async list (): Promise<StoredModel[]> {
    return (await this.scan()).models
  }

  /** A model whose record matches its file, or undefined. */
  async read (name: string): Promise<StoredModel | undefined> {
    const path = this.pathOf(name)
    try {
      const [st, raw] = await Promise.all([stat(path), readFile(`${path}.json`, 'utf8')])
      const side = JSON.parse(raw) as Sidecar
      if (side.version !== 1 || side.sizeBytes !== st.size || Math.abs(side.mtimeMs - st.mtimeMs) > 1) return undefined
      return { name, path, sizeBytes: side.sizeBytes, sha256: side.sha256, card: side.card, addedAt: side.addedAt, source: side.source }
    } catch {
      return undefined
    }
  }

  async get (name: string): Promise<StoredModel> {
    const m = await this.read(checkModelName(name))
    if (m == null) throw new ModelFileError('not-found', `this device has no model "${name}"`)
    return m
  }

  /** Validates a file already in the directory (dropped in by hand) and writes its record. */
  async index (name: string, options: { signal?: AbortSignal } = {}): Promise<StoredModel> {
    const path = this.pathOf(checkModelName(name))
    const hash = createHash('sha256')
    for await (const chunk of createReadStream(path, { signal: options.signal })) hash.update(chunk as Buffer)
    const card = await inspectModel(path, options)
    return await this.record(name, path, hash.digest('hex'), card, 'file')
  }

  /** Writes the record of the file at `path` (to `to`, default beside it, atomically). */
  private async record (name: string, path: string, sha256: string, card: ModelCard, source: string, to?: string): Promise<StoredModel> {
    const st = await stat(path)
    const side: Sidecar = { version: 1, sizeBytes: st.size, mtimeMs: st.mtimeMs, sha256, card, addedAt: Date.now(), source }
    if (to != null) {
      await writeFile(to, JSON.stringify(side, null, 2))
    } else {
      await writeFile(`${path}.json.tmp`, JSON.stringify(side, null, 2))
      await rename(`${path}.json.tmp`, `${path}.json`)
    }
    return { name, path, sizeBytes: st.size, sha256, card, addedAt: side.addedAt, source }
  }

  /**
   * Copies a file or downloads a URL into the directory, checks its SHA-256
   * (against `sha256` when given) and that it is a whole GGUF model llama.cpp
   * can run; only then is it named and listed. A cut download resumes on the
   * next call with the same URL.
   */
  async add (source: string, options: AddOptions = {}): Promise<StoredModel> {
    const name = checkModelName(options.name ?? modelNameOf(source))
    const expected = options.sha256?.toLowerCase()
    if (expected != null && !/^[0-9a-f]{64}$/.test(expected)) throw new ModelFileError('checksum', '--sha256 must be 64 hex digits')
    const path = this.pathOf(name)
    if (await stat(path).then(() => true, () => false)) throw new ModelFileError('exists', `this device already has a model "${name}"`)
    await mkdir(this.dir, { recursive: true, mode: 0o700 })
    const part = `${path}.part`
    const url = /^https?:\/\//i.test(source)
    const unlock = await lock(`${part}.lock`, name)
    try {
      const { sha256 } = url ? await download(source, part, options) : await copy(source, part, options)
      if (expected != null && sha256 !== expected) {
        await rm(part, { force: true })
        await rm(statePathOf(part), { force: true })
        throw new ModelFileError('checksum', `the file's SHA-256 is ${sha256}, not the ${expected} expected`)
      }
      options.onValidate?.()
      let card: ModelCard
      try {
        card = await inspectModel(part, options)
      } catch (err) {
        // a file that is not a whole model goes; an interrupted check or a missing runtime keeps the bytes for the next run
        if (err instanceof ModelFileError && ['not-gguf', 'truncated', 'unsupported'].includes(err.code)) {
          await rm(part, { force: true })
          await rm(statePathOf(part), { force: true })
          throw new ModelFileError(err.code, err.message.replace(part, url ? safeUrl(source) : source), { hint: err.hint })
        }
        throw err
      }
      const from = url ? safeUrl(source) : 'file'
      // the record is written aside, the file takes its name, then the record: a crash between leaves a file the node checks again
      const record = await this.record(name, part, sha256, card, from, `${path}.json.tmp`)
      await rename(part, path)
      await rename(`${path}.json.tmp`, `${path}.json`)
      await rm(statePathOf(part), { force: true })
      return { ...record, path }
    } finally {
      await unlock()
    }
  }

  /** Removes a model's file and record; a node serving it unloads it at its next listing. */
  async remove (name: string): Promise<void> {
    const path = this.pathOf(checkModelName(name))
    const had = await stat(path).then(() => true, () => false)
    if (!had) throw new ModelFileError('not-found', `this device has no model "${name}"`)
    // the file first: a record without its file is never listed, a file without its record would be checked again
    await rm(path, { force: true })
    for (const extra of [`${path}.json`, `${path}.part`, statePathOf(`${path}.part`)]) await rm(extra, { force: true })
  }
}

function pidAlive (pid: number): boolean {
  try {
    return process.kill(pid, 0)
  } catch (err: any) {
    return err?.code === 'EPERM'
  }
}

/** An exclusive lock on a model's transfer: another add of the same name waits for nothing and is refused; a lock left by a dead process is taken over. */
async function lock (path: string, name: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, String(process.pid), { flag: 'wx' })
      return async () => { await rm(path, { force: true }) }
    } catch (err: any) {
      if (err?.code !== 'EEXIST') throw err
      const pid = Number(await readFile(path, 'utf8').catch(() => ''))
      const alive = pid > 0 && pidAlive(pid)
      if (alive) throw new ModelFileError('exists', `another smesh model add (pid ${pid}) is writing "${name}"`, { hint: 'wait for it to finish, or stop it' })
      await rm(path, { force: true })
    }
  }
  throw new ModelFileError('exists', `the transfer of "${name}" is locked`, { hint: 'try again' })
}

async function copy (from: string, part: string, options: TransferOptions): Promise<{ sha256: string, bytes: number }> {
  let total: number
  try {
    const st = await stat(from)
    if (!st.isFile()) throw new ModelFileError('not-gguf', `${from} is not a file`)
    total = st.size
  } catch (err: any) {
    if (err instanceof ModelFileError) throw err
    throw new ModelFileError('not-found', `${from} does not exist or cannot be read (${String(err?.code ?? err)})`, { hint: 'give the path of a .gguf file or an http(s) URL' })
  }
  const hash = createHash('sha256')
  let done = 0
  const meter = new Transform({
    transform (chunk: Buffer, _enc, cb) {
      hash.update(chunk)
      done += chunk.length
      options.onProgress?.({ done, total, resumedFrom: 0 })
      cb(null, chunk)
    }
  })
  try {
    await pipeline(createReadStream(from), meter, createWriteStream(part), { signal: options.signal })
  } catch (err) {
    await rm(part, { force: true })
    throw err
  }
  return { sha256: hash.digest('hex'), bytes: done }
}
