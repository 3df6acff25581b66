import { runCli } from '../shared/run-cli'
import { createNodeGateway } from './create-gateway'
import { serveGateway } from './serve-gateway'

// `gateway` (npx gateway): the Node server.
void runCli({ createGateway: (config, logging) => createNodeGateway({ config, logging }), serve: (gateway) => serveGateway(gateway) })
