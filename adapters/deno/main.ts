import { runCli } from '../shared/run-cli'
import { createDenoGateway } from './create-gateway'
import { serveDenoGateway } from './serve-gateway'

// `deno run -A adapters/deno/main.ts`: the gateway command on Deno (same flags, env and output as on Node).
void runCli({ createGateway: (config, logging) => createDenoGateway({ config, logging }), serve: (gateway) => serveDenoGateway(gateway) })
