import { runCli } from '../shared/run-cli'
import { createGateway } from './create-gateway'
import { serveGateway } from './serve-gateway'

// `bun adapters/bun/main.ts`: the gateway command on Bun (same flags, env and output as on Node).
void runCli({ createGateway: (config, logging, tracing) => createGateway({ config, logging, tracing }), serve: (gateway) => serveGateway(gateway) })
