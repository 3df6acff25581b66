import { defineConfig } from 'tsup'

// The library (core + Node adapter) with types, and the `gateway` CLI. Assets are already inlined
// into src/generated/assets.ts by scripts/build-assets.mjs, so the build reads no files at run time.
export default defineConfig([
  {
    entry: { index: 'src/index.ts', node: 'adapters/node/index.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: true,
    sourcemap: false,
    clean: true,
    splitting: true,
    treeshake: true,
  },
  {
    entry: { cli: 'adapters/node/cli.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: false,
    sourcemap: false,
    clean: false,
    banner: { js: '#!/usr/bin/env node' },
  },
])
