import type { DenoLike } from './deno'

/** The `Deno` global, typed by `deno.d.ts`; a clear error when this adapter is loaded elsewhere. */
export function deno(): DenoLike {
  const runtime = (globalThis as { Deno?: DenoLike }).Deno
  if (!runtime) throw new Error('agent-gateway/deno needs the Deno runtime; on Node use agent-gateway/node')
  return runtime
}
