import { readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createGateway } from 'agent-gateway'
import { startHonoApp } from '../../examples/hono-app/server'
import { startNodeHttpApp } from '../../examples/node-http/server'
import { hostSettings } from '../../examples/own-settings'
import { TEST_TOKEN } from '../support/gateway'
import { startNode } from '../support/processes'
import { tempDir } from '../support/store'
import { mountContract } from './mount-contract'

// The runnable examples in examples/, tested as they ship.
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

describe("a subsystem of the host app's (examples/own-settings.ts, the README's example)", () => {
  it('serves the settings routes from the host object, with no database', async () => {
    const settings = hostSettings()
    const gateway = await createGateway({ config: { authToken: 'host-token-0123456789abcdef' }, services: { settings } })
    const call = (path: string, init: RequestInit = {}) =>
      gateway.app.request(path, { ...init, headers: { authorization: 'Bearer host-token-0123456789abcdef', 'content-type': 'application/json' } })
    expect((await call('/api/settings/theme', { method: 'PUT', body: JSON.stringify({ value: 'dark' }) })).status).toBe(204)
    expect(await settings.get('owner', 'theme')).toMatchObject({ key: 'theme', value: 'dark' })
    expect(await (await call('/api/settings/export')).json()).toEqual({ settings: { theme: 'dark' } })
    expect((await call('/api/settings/missing', { method: 'DELETE' })).status).toBe(404)
    await gateway.close()
  })
})
