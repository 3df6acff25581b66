import { cliContract } from './cli-contract'
import { runtimeContract } from './contract'
import { startChildTarget } from './targets'

runtimeContract('bun', () => startChildTarget('bun'))
cliContract('bun')
