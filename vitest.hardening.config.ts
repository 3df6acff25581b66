import { configDefaults, defineConfig } from 'vitest/config'
import base from './vitest.config'

/**
 * `npm run test:hardening`: test/security and test/reliability (security-bar.md), against real
 * sockets, plus the kill -9 durability test at the bar's 20 rounds (`npm test` runs it at 4).
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/security/**/*.test.ts', 'test/reliability/**/*.test.ts', 'test/e2e/crash-durability.test.ts'],
    exclude: configDefaults.exclude,
    env: { ...base.test?.env, GATEWAY_CRASH_ROUNDS: process.env.GATEWAY_CRASH_ROUNDS ?? '20' },
  },
})
