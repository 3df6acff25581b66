import { runCli } from '../shared/cli'
import { createDenoGateway } from './create-deno-gateway'
import { serveDenoGateway } from './serve-deno-gateway'

// `deno run -A adapters/deno/serve.ts`: the gateway command on Deno (same flags, env and output as on Node).
void runCli({ createGateway: (config, logging) => createDenoGateway({ config, logging }), serve: (gateway) => serveDenoGateway(gateway) })
