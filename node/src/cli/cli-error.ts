/** A usage or input problem found by the CLI itself, with what to do about it. */
export class CliError extends Error {
  static override readonly name = 'CliError'
  override readonly name = 'CliError'
  constructor (message: string, readonly hint: string, readonly exitCode = 1) {
    super(message)
  }
}
