import { readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { startHonoApp } from '../../examples/hono-app/server'
import { startNodeHttpApp } from '../../examples/node-http/server'
import { TEST_TOKEN } from '../support/gateway'
import { startNode } from '../support/processes'
import { tempDir } from '../support/store'
import { mountContract } from './mount-contract'

// The two runnable examples in examples/, tested as they ship.
mountContract('a Hono app (host.route)', (gateway) => startHonoApp({ port: 0, gateway }))
mountContract('a node:http server (createNodeListeners)', (gateway) => startNodeHttpApp({ port: 0, gateway }))

// Run as a user runs them (`npx tsx examples/...`): configured by the CLI's environment.
describe.each(['examples/hono-app/server.ts', 'examples/node-http/server.ts'])('%s as a process', (script) => {
  it('takes its token, data directory and port from GATEWAY_* like the gateway command', { timeout: 40_000 }, async () => {
    const dataDir = tempDir('gw-example-')
    const app = await startNode(script, { GATEWAY_AUTH_TOKEN: TEST_TOKEN, GATEWAY_DATA_DIR: dataDir, GATEWAY_PORT: '0', GATEWAY_HOST: '127.0.0.1' })
    try {
      expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/agent\/$/)
      expect(app.output()).not.toContain('assistant token')
      const whoami = await fetch(`${app.url}api/auth/whoami`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })
      expect(await whoami.json()).toMatchObject({ user_id: 'owner' })
      // Its database is in GATEWAY_DATA_DIR, not in a `.gateway` of the directory it was started from.
      expect(readdirSync(dataDir)).toEqual(expect.arrayContaining(['gateway.db']))
      expect((await fetch(app.url)).status).toBe(200)
    } finally {
      app.child.kill('SIGTERM')
      await app.exited
    }
  })
})
