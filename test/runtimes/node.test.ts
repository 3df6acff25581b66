import { cliContract } from './cli-contract'
import { runtimeContract } from './contract'
import { startNodeTarget } from './targets'

runtimeContract('node', () => startNodeTarget())
cliContract('node')
