import { runCli } from '../shared/cli'
import { createNodeGateway } from './create-node-gateway'
import { serveGateway } from './serve'

// `gateway` (npx gateway): the Node server.
void runCli({ createGateway: (config, logging) => createNodeGateway({ config, logging }), serve: (gateway) => serveGateway(gateway) })
