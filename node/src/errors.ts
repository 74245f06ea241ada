/**
 * Typed errors of @smesh/node. The CLI's top-level handler prints `message`
 * and `hint` and exits with `exitCode`; nothing else is printed.
 */
export class ConfigError extends Error {
  static override readonly name = 'ConfigError'
  override readonly name = 'ConfigError'
  readonly exitCode = 78
  constructor (message: string, readonly hint: string = 'fix the value named above; `smesh start --help` lists every setting', options?: ErrorOptions) {
    super(message, options)
  }
}

export class NodeNotRunningError extends Error {
  static override readonly name = 'NodeNotRunningError'
  override readonly name = 'NodeNotRunningError'
  readonly exitCode = 3
  /** The message already says how to start one: the error stays on one line. */
  readonly hint = ''
  constructor (readonly dataDir: string, options?: ErrorOptions) {
    super(`no smesh node is running with data dir ${dataDir}; start one with: smesh start --data-dir ${dataDir}`, options)
  }
}

export class NodeAlreadyRunningError extends Error {
  static override readonly name = 'NodeAlreadyRunningError'
  override readonly name = 'NodeAlreadyRunningError'
  readonly exitCode = 1
  readonly hint: string
  constructor (readonly dataDir: string, readonly pid: number) {
    super(pid > 0 ? `a smesh node (pid ${pid}) is already running with data dir ${dataDir}` : `another smesh node is starting with data dir ${dataDir}`)
    this.hint = `stop it first, or give this node its own data dir with --data-dir; if pid ${pid} is not a smesh node, remove ${dataDir}/node.lock`
  }
}

export class ApiError extends Error {
  static override readonly name = 'ApiError'
  override readonly name = 'ApiError'
  constructor (message: string, readonly status: number, readonly hint: string = 'check the node\'s log in <data dir>/logs/smesh.log', readonly exitCode: number = 1) {
    super(message)
  }
}

export class PortInUseError extends Error {
  static override readonly name = 'PortInUseError'
  override readonly name = 'PortInUseError'
  readonly exitCode = 1
  constructor (readonly what: string, readonly address: string, readonly hint: string, options?: ErrorOptions) {
    super(`the ${what} address ${address} is already in use`, options)
  }
}
