import { createGateway } from './create-gateway'
import { openStore } from './open-store'
import { createRuntime } from './runtime'

/** @deprecated The same names on every runtime: `createGateway` from `agent-gateway/node`. */
export const createNodeGateway = createGateway
/** @deprecated The same names on every runtime: `createRuntime` from `agent-gateway/node`. */
export const createNodeRuntime = createRuntime
/** @deprecated The same names on every runtime: `openStore` from `agent-gateway/node`. */
export const openNodeStore = openStore
