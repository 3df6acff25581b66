import { startHonoApp } from '../../examples/hono-app/server'
import { startNodeHttpApp } from '../../examples/node-http/server'
import { mountContract } from './mount-contract'

// The two runnable examples in examples/, tested as they ship.
mountContract('a Hono app (host.route)', (gateway) => startHonoApp({ port: 0, gateway }))
mountContract('a node:http server (createNodeListeners)', (gateway) => startNodeHttpApp({ port: 0, gateway }))
