import type { MiddlewareHandler } from 'hono'
import { GatewayError } from '../lib/errors'
import type { OriginPolicy } from './origin-policy'

/** Refuses requests whose Host is not ours on a loopback bind (DNS rebinding), on every route. */
export const hostCheck = (policy: OriginPolicy): MiddlewareHandler =>
  function hostCheck(c, next) {
    // Fetch hosts build the URL from the Host header; `app.request()` has only the URL.
    if (!policy.allowsHost(c.req.header('host') ?? new URL(c.req.url).host)) {
      throw new GatewayError(421, 'host_not_allowed', 'This gateway does not serve that host name')
    }
    return next()
  }
