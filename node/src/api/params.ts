import { InvalidBodyError } from '@smesh/bus'
import type { RouteContext } from './server.js'

/** A string field of a request body (required unless said). */
export function str (v: unknown, field: string, required = true): string | undefined {
  if (v === undefined && !required) return undefined
  if (typeof v !== 'string') throw new InvalidBodyError(`${field} must be a string`)
  return v
}

export function query (ctx: RouteContext, name: string): string | undefined {
  return ctx.url.searchParams.get(name) ?? undefined
}

/** A whole-number query parameter, or undefined when absent. */
export function count (ctx: RouteContext, name: string): number | undefined {
  const v = query(ctx, name)
  if (v == null) return undefined
  if (!/^\d{1,9}$/.test(v)) throw new InvalidBodyError(`${name} must be a whole number, not ${JSON.stringify(v.slice(0, 20))}`)
  return Number(v)
}

/** The request body, which must be a JSON object. */
export function body (ctx: RouteContext): Record<string, unknown> {
  if (typeof ctx.body !== 'object' || ctx.body === null || Array.isArray(ctx.body)) throw new InvalidBodyError('the request body must be a JSON object')
  return ctx.body as Record<string, unknown>
}
