import { runCli } from '../shared/run-cli'
import { createGateway } from './create-gateway'
import { serveGateway } from './serve-gateway'

// `gateway` (npx gateway): the Node server.
void runCli({ createGateway: (config, logging, tracing) => createGateway({ config, logging, tracing }), serve: (gateway) => serveGateway(gateway) })
