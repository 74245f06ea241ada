import { randomBytes } from 'node:crypto'
import { constants, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CorruptKeyFileError, DataDirError, KeyFilePermissionsError } from './errors.js'

export const SECRET_FILE_MODE = 0o600
export const SECRET_DIR_MODE = 0o700

/**
 * Makes sure `dir` exists and is a writable directory; creates it (and its
 * parents) with mode 0700 when missing. Errors name the directory and cause.
 */
export async function ensureDataDir (dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: SECRET_DIR_MODE })
  } catch (err: any) {
    throw new DataDirError(dir, `cannot be created (${err.code ?? err.message})`, { cause: err })
  }
  const info = await stat(dir).catch((err: any) => {
    throw new DataDirError(dir, `cannot be read (${err.code ?? err.message})`, { cause: err })
  })
  if (!info.isDirectory()) {
    throw new DataDirError(dir, 'is not a directory')
  }
  // A probe write catches read-only mounts and missing permissions up front,
  // before anything else is touched.
  const probe = join(dir, `.write-probe-${process.pid}-${randomBytes(4).toString('hex')}`)
  try {
    await writeFile(probe, '', { mode: SECRET_FILE_MODE, flag: 'wx' })
  } catch (err: any) {
    throw new DataDirError(dir, `is not writable (${err.code ?? err.message})`, { cause: err })
  }
  await rm(probe, { force: true })
}

/** Throws when `path` is readable or writable by group or others. */
export async function checkPrivate (path: string, expected: number): Promise<void> {
  const info = await stat(path)
  if (expected === SECRET_DIR_MODE && !info.isDirectory()) {
    throw Object.assign(new Error(`${path} is not a directory`), { code: 'ENOTDIR', path })
  }
  if ((info.mode & 0o077) !== 0) {
    throw new KeyFilePermissionsError(path, info.mode, expected)
  }
}

/**
 * Reads a secret file after checking its permissions; refuses files larger
 * than `maxBytes` as corrupt.
 */
export async function readSecretFile (path: string, maxBytes: number): Promise<Uint8Array> {
  await checkPrivate(path, SECRET_FILE_MODE)
  const info = await stat(path)
  if (info.size > maxBytes) {
    throw new CorruptKeyFileError(path, `${info.size} bytes, larger than the ${maxBytes} byte limit`)
  }
  return new Uint8Array(await readFile(path))
}

/**
 * Writes `data` to a new file with mode 0600 and fsyncs it. Fails if the file
 * exists: secrets are never overwritten.
 */
export async function writeNewSecretFile (path: string, data: Uint8Array | string): Promise<void> {
  const fh = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, SECRET_FILE_MODE)
  try {
    await fh.writeFile(data)
    await fh.sync()
  } finally {
    await fh.close()
  }
}

/**
 * Replaces `path` atomically (write to a temporary sibling, fsync, rename)
 * with mode 0600. For files the node owns and rewrites, like the API token.
 */
export async function replaceSecretFile (path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  try {
    await writeNewSecretFile(tmp, data)
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
}

/** fsyncs a directory so a rename inside it survives a crash. */
export async function syncDir (dir: string): Promise<void> {
  const fh = await open(dir, constants.O_RDONLY)
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}
