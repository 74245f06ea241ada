import { InvalidBodyError } from '@smesh/bus'
import { parseModelSpec, parseResidency } from '@smesh/tasks'
import { body, str } from './params.js'
import type { KeyPolicy, KeyStore, KeyView } from '@smesh/gateway'
import type { RouteHandler } from './server.js'

/** The control API's gateway keys: list, create (the key is in the answer, once), revoke. */
export function gatewayRoutes (keys: KeyStore): Record<string, RouteHandler | Partial<Record<'GET' | 'POST', RouteHandler>>> {
  return {
    '/v1/gateway/keys': {
      GET: (): KeyView[] => keys.list(),
      POST: async (ctx) => {
        const b = body(ctx)
        const name = str(b.name, 'name') as string
        const policy: KeyPolicy = {}
        const residency = str(b.residency, 'residency', false)
        if (residency != null) policy.residency = parseResidency(residency)
        const models = str(b.models, 'models', false)
        if (models != null) {
          parseModelSpec(models)
          policy.models = models
        }
        if (b.ratePerS != null) {
          if (typeof b.ratePerS !== 'number' || !Number.isFinite(b.ratePerS) || b.ratePerS <= 0 || b.ratePerS > 10_000) throw new InvalidBodyError('ratePerS must be a number above 0 and at most 10000')
          policy.ratePerS = b.ratePerS
        }
        if (b.expiresInMs != null) {
          if (typeof b.expiresInMs !== 'number' || !Number.isInteger(b.expiresInMs) || b.expiresInMs < 1000 || b.expiresInMs > 10 * 365 * 86_400_000) throw new InvalidBodyError('expiresInMs must be a whole number of milliseconds from 1 s to 10 years')
          policy.expiresAt = Date.now() + b.expiresInMs
        }
        return await keys.create(name, policy)
      }
    },
    '/v1/gateway/keys/revoke': { POST: async (ctx) => await keys.revoke(str(body(ctx).name, 'name') as string) }
  }
}
