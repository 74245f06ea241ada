/**
 * A vendor SDK's client, made on first use: the SDKs cost 25 - 33 MiB of
 * memory and 90 - 150 ms each at import, and most nodes use one or none.
 * A failed import is not remembered, so the next call tries again.
 */
export function lazyClient <T> (make: () => Promise<T>): () => Promise<T> {
  let client: Promise<T> | undefined
  return async () => {
    client ??= make().catch((err: unknown) => {
      client = undefined
      throw err
    })
    return await client
  }
}
