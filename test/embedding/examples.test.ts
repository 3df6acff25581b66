import { describe, expect, it } from 'vitest'
import { createGateway } from 'agent-gateway'
import { startHonoApp } from '../../examples/hono-app/server'
import { startNodeHttpApp } from '../../examples/node-http/server'
import { hostSettings } from '../../examples/own-settings'
import { mountContract } from './mount-contract'

// The runnable examples in examples/, tested as they ship.
mountContract('a Hono app (host.route)', (gateway) => startHonoApp({ port: 0, gateway }))
mountContract('a node:http server (createNodeListeners)', (gateway) => startNodeHttpApp({ port: 0, gateway }))

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
