import type { Principal } from '../auth/principal'

/** The Hono environment of every gateway router: `new Hono<GatewayEnv>()`. */
export type GatewayEnv = {
  Variables: {
    principal: Principal
    /** SHA-256 of the token (or ticket's token) the request authenticated with. */
    credential: Uint8Array
    requestId: string
    /** Routes under `/v1` answer errors in OpenAI's shape. */
    errorShape: 'gateway' | 'openai'
  }
}
