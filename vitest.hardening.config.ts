import { configDefaults, defineConfig } from 'vitest/config'
import base from './vitest.config'

/** `npm run test:hardening`: test/security and test/reliability (security-bar.md), against real sockets. */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/security/**/*.test.ts', 'test/reliability/**/*.test.ts'],
    exclude: configDefaults.exclude,
  },
})
