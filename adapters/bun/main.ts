import { runCli } from '../shared/run-cli'
import { createBunGateway } from './create-gateway'
import { serveBunGateway } from './serve-gateway'

// `bun adapters/bun/main.ts`: the gateway command on Bun (same flags, env and output as on Node).
void runCli({ createGateway: (config, logging) => createBunGateway({ config, logging }), serve: (gateway) => serveBunGateway(gateway) })
