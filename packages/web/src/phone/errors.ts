/** A node answered one of the device protocols with a refusal: `code` is that protocol's (see protocols/device/SPEC.md). */
export class RefusedError extends Error {
  static override readonly name = 'RefusedError'
  override readonly name = 'RefusedError'
  constructor (readonly protocol: 'read' | 'push', readonly code: string, message: string) {
    super(message)
  }
}

/** A write the page did not make: its lease or the policy blocks it, an admin declined it, or no one approved it in time. */
export class NotWrittenError extends Error {
  static override readonly name = 'NotWrittenError'
  override readonly name = 'NotWrittenError'
}
