import { runCli } from '../shared/run-cli'
import { createGateway } from './create-gateway'
import { serveGateway } from './serve-gateway'

// `gateway` (npx gateway): the Node server.
void runCli({ createGateway: (config, logging) => createGateway({ config, logging }), serve: (gateway) => serveGateway(gateway) })
