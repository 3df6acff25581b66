import { fileURLToPath } from 'node:url'
import { configDefaults, defineConfig } from 'vitest/config'

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig({
  // The examples import the package by name, as an app that installed it would; tests run them
  // against the sources (tsconfig.json maps the same names for tsc and tsx).
  resolve: {
    alias: [
      { find: /^agent-gateway$/, replacement: source('./src/index.ts') },
      { find: /^agent-gateway\/(protocol|agent|ports|store)$/, replacement: source('./src/exports/$1.ts') },
      { find: /^agent-gateway\/(node|bun|deno)$/, replacement: source('./adapters/$1/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // The security and reliability suite runs once, on its own (`npm run test:hardening`,
    // vitest.hardening.config.ts), not again in the PostgreSQL pass.
    exclude: [...configDefaults.exclude, 'test/security/**', 'test/reliability/**'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: process.env.CI ? ['default'] : ['default'],
  },
})
