import { readFileSync } from 'node:fs'

/** The version of @smesh/node, read once from its package.json. */
export const VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version
export const SOFTWARE = `smesh/${VERSION}`
