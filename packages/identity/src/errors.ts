/**
 * Typed errors of @smesh/identity. Compare `err.name` across package
 * boundaries; every error carries a `hint` telling the user what to do.
 */
export class KeyFilePermissionsError extends Error {
  static override readonly name = 'KeyFilePermissionsError'
  override readonly name = 'KeyFilePermissionsError'
  readonly hint: string
  constructor (readonly path: string, readonly mode: number, expected: number) {
    super(`${path} has mode ${octal(mode)}, wider than ${octal(expected)}: other users could read the node's secret keys`)
    this.hint = `if nobody else could have read it, run: chmod ${octal(expected)} ${path}; otherwise treat the key as leaked and create a new identity`
  }
}

export class CorruptKeyFileError extends Error {
  static override readonly name = 'CorruptKeyFileError'
  override readonly name = 'CorruptKeyFileError'
  readonly hint: string
  constructor (readonly path: string, reason: string, options?: ErrorOptions) {
    super(`${path} is corrupt: ${reason}`, options)
    this.hint = 'restore the identity directory from a backup; the node changed nothing. To start over with a new identity, move the directory away (the old PeerId is then lost)'
  }
}

export class IncompleteIdentityError extends Error {
  static override readonly name = 'IncompleteIdentityError'
  override readonly name = 'IncompleteIdentityError'
  readonly hint: string
  constructor (readonly dir: string, readonly missing: string[]) {
    super(`identity in ${dir} is incomplete: missing ${missing.join(', ')}`)
    this.hint = 'restore the missing files from a backup; the node changed nothing. To start over with a new identity, move the directory away'
  }
}

export class KeyFileAccessError extends Error {
  static override readonly name = 'KeyFileAccessError'
  override readonly name = 'KeyFileAccessError'
  readonly hint = 'run the node as the user that created the data dir, or fix the owner and permissions; the node changed nothing'
  constructor (readonly path: string, code: string, options?: ErrorOptions) {
    super(`${path} cannot be read (${code === 'ENOTDIR' ? 'a path component is not a directory' : code})`, options)
  }
}

export class DataDirError extends Error {
  static override readonly name = 'DataDirError'
  override readonly name = 'DataDirError'
  readonly hint: string
  constructor (readonly path: string, reason: string, options?: ErrorOptions) {
    super(`data directory ${path} ${reason}`, options)
    this.hint = 'choose a writable directory with --data-dir or SMESH_DATA_DIR, or fix its permissions'
  }
}

function octal (mode: number): string {
  return '0' + (mode & 0o777).toString(8)
}
