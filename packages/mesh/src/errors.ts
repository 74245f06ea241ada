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
