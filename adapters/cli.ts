// The `gateway` bin: runs the adapter of the runtime it is started on, so `npx gateway`,
// `bun node_modules/.bin/gateway` and `deno run -A .../dist/cli/cli.js` start the same gateway.
const runtime = 'Bun' in globalThis ? 'bun' : 'Deno' in globalThis ? 'deno' : 'node'
if (runtime === 'bun') await import('./bun/main')
else if (runtime === 'deno') await import('./deno/main')
else {
  // Most of a start is parsing and compiling the bundle: Node 22.1+ keeps the compiled code
  // between starts (Node 20 has no such cache: a no-op there; Bun and Deno cache on their own).
  const { enableCompileCache } = (await import('node:module')) as { enableCompileCache?: () => unknown }
  enableCompileCache?.()
  await import('./node/main')
}

export {}
