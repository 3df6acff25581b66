import { runCli } from '../shared/cli'
import { createBunGateway } from './create-bun-gateway'
import { serveBunGateway } from './serve-bun-gateway'

// `bun adapters/bun/serve.ts`: the gateway command on Bun (same flags, env and output as on Node).
void runCli({ createGateway: (config, logging) => createBunGateway({ config, logging }), serve: (gateway) => serveBunGateway(gateway) })
