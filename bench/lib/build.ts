/**
 * The gateway runs in the bench as it ships: bundled to plain JavaScript (like `npm run build`),
 * not through the tsx loader. tsx compiles with esbuild's `keepNames`, which defines `name` on
 * every function and gives each closure its own property store: ~5 KB more per WebSocket
 * connection than the built code has.
 */
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const BUNDLE = join(ROOT, 'bench', '.build', 'node.js')

export async function buildGateway(): Promise<string> {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-assets.mjs')], { stdio: 'ignore' })
  await build({
    entryPoints: { node: join(ROOT, 'adapters', 'node', 'index.ts') },
    outdir: join(ROOT, 'bench', '.build'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  })
  return BUNDLE
}
