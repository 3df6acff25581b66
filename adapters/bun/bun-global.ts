import type { BunLike } from './bun'

/** The `Bun` global, typed by `bun.d.ts`; a clear error when this adapter is loaded elsewhere. */
export function bun(): BunLike {
  const runtime = (globalThis as { Bun?: BunLike }).Bun
  if (!runtime) throw new Error('agent-gateway/bun needs the Bun runtime; on Node use agent-gateway/node')
  return runtime
}
