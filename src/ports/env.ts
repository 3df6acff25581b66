import type { Principal } from './principal'

/** The Hono environment of every gateway router: `new Hono<GatewayEnv>()`. */
export type GatewayEnv = {
  Variables: {
    principal: Principal
    /** SHA-256 of the token (or ticket's token) the request authenticated with. */
    credential: Uint8Array
    requestId: string
    /** Routes under `/v1` answer errors in OpenAI's shape. */
    errorShape: 'gateway' | 'openai'
    /** The request's Origin when the CORS policy allows it (set before the handler runs). */
    allowedOrigin: string | undefined
    /**
     * The runtime wrote the response itself (the Node SSE fast path); what the handler returned is
     * only a marker, and middleware must not touch its headers after the handler.
     */
    responseSent: boolean
  }
}
