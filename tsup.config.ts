import { dirname } from 'node:path'
import { defineConfig, type Options } from 'tsup'

// The library (the root entry, its subpaths, and the Node, Bun and Deno adapters) with types, and
// the `gateway` CLI; the entries match package.json's `exports` (and tsconfig's `paths`). Assets are
// already inlined into src/generated/assets.ts by scripts/build-assets.mjs, so the build reads no
// files at run time. Runtime modules (bun:sqlite, node:sqlite, hono/bun, hono/deno) stay imports.
// Types take most of the build (about a minute here, the JavaScript a few seconds), and only the
// packed package needs them: `npm run build` (what `npm install` runs in a checkout) passes
// `--no-dts`, `prepack` (npm pack / publish) runs this config as it is.
// Splitting matters at run time too: every `import()` in the sources (SDKs, archive and YAML
// parsers, cron, the web app's bytes) becomes its own chunk, read only when first used.
const external = ['bun:sqlite', 'node:sqlite']

/**
 * zod's `z` namespace re-exports all 64 of its locales: 358 KB, half of the zod the CLI would
 * parse at every start. The gateway's messages are English (zod's default, which `en.js`
 * provides either way); `z.locales` keeps `en`. The library build leaves zod to the host app.
 */
const zodEnglishOnly: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'zod-english-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
      contents: "export { default as en } from './en.js'\n",
      loader: 'js',
      resolveDir: dirname(args.path),
    }))
  },
}

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      protocol: 'src/exports/protocol.ts',
      agent: 'src/exports/agent.ts',
      ports: 'src/exports/ports.ts',
      store: 'src/exports/store.ts',
      node: 'adapters/node/index.ts',
      bun: 'adapters/bun/index.ts',
      deno: 'adapters/deno/index.ts',
    },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    external,
    // Keep `node:` (tsup strips it by default): `node:sqlite` exists only with the prefix, and Deno wants it.
    removeNodeProtocol: false,
    dts: true,
    sourcemap: false,
    clean: true,
    splitting: true,
    treeshake: true,
  },
  {
    // One bin for every runtime; each adapter is its own chunk, loaded only on its runtime. Its
    // pure-JS dependencies are bundled in: resolving hundreds of small ESM files (kysely, zod,
    // hono) was a third of Node's cold start. Native and optional drivers stay packages.
    entry: { cli: 'adapters/cli.ts' },
    outDir: 'dist/cli',
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    noExternal: [/^(?!bun:|node:|better-sqlite3$|pg$|bufferutil$|utf-8-validate$)/],
    external,
    removeNodeProtocol: false,
    dts: false,
    sourcemap: false,
    clean: false,
    splitting: true,
    esbuildPlugins: [zodEnglishOnly],
    // A third less JavaScript to parse at every start; names are kept, so stack traces still read.
    minifyWhitespace: true,
    minifySyntax: true,
    // Bundled CommonJS (ws) calls require() for Node's built-in modules.
    banner: { js: "#!/usr/bin/env node\nimport { createRequire as __gatewayRequire } from 'node:module'\nconst require = __gatewayRequire(import.meta.url)" },
  },
])
