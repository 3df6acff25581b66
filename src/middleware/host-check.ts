import type { Context } from 'hono'
import { GatewayError } from '../lib/errors'
import type { OriginPolicy } from './origin-policy'

/** Refuses a request whose Host is not ours on a loopback bind (DNS rebinding), on every route. */
export function checkHost(c: Context, policy: OriginPolicy): void {
  // Fetch hosts build the URL from the Host header; `app.request()` has only the URL.
  if (!policy.allowsHost(c.req.header('host') ?? new URL(c.req.url).host)) {
    throw new GatewayError(421, 'host_not_allowed', 'This gateway does not serve that host name')
  }
}
