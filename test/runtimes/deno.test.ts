import { cliContract } from './cli-contract'
import { runtimeContract } from './contract'
import { startChildTarget } from './targets'

runtimeContract('deno', () => startChildTarget('deno'))
cliContract('deno')
