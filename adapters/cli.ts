// The `gateway` bin: runs the adapter of the runtime it is started on, so `npx gateway`,
// `bun node_modules/.bin/gateway` and `deno run -A .../dist/cli/cli.js` start the same gateway.
const runtime = 'Bun' in globalThis ? 'bun' : 'Deno' in globalThis ? 'deno' : 'node'
if (runtime === 'bun') await import('./bun/main')
else if (runtime === 'deno') await import('./deno/main')
else await import('./node/main')

export {}
