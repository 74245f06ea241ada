/** Typed errors of @smesh/mesh; compare `err.name` across packages. */
export class InvalidMeshNameError extends Error {
  static override readonly name = 'InvalidMeshNameError'
  override readonly name = 'InvalidMeshNameError'
  readonly hint = 'use 1-63 characters from a-z, 0-9, "-" and "_"'
}

export class InvalidMultiaddrError extends Error {
  static override readonly name = 'InvalidMultiaddrError'
  override readonly name = 'InvalidMultiaddrError'
  readonly hint = 'write addresses as multiaddrs, for example /ip4/192.168.1.20/tcp/7370'
}

export class UnsupportedYamuxError extends Error {
  static override readonly name = 'UnsupportedYamuxError'
  override readonly name = 'UnsupportedYamuxError'
  readonly hint = 'the installed @libp2p/yamux changed its stream; run `npm ci` from the lockfile, or review packages/mesh/src/yamux-window.ts against the new version'
}
