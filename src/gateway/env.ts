import type { Principal } from '../auth/principal'

/** The Hono environment of every gateway router: `new Hono<GatewayEnv>()`. */
export type GatewayEnv = {
  Variables: {
    principal: Principal
    requestId: string
    /** Routes under `/v1` answer errors in OpenAI's shape. */
    errorShape: 'gateway' | 'openai'
  }
}
