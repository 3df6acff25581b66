/** The gateway's version, reported by `/api/gateway/status` and the OpenAPI document. */
export const VERSION = '0.1.0'
