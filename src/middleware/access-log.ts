import { getLogger } from '@logtape/logtape'
import type { Context } from 'hono'
import { maskUrlCapabilities } from '../lib/url-capabilities'

const log = getLogger(['gateway', 'http', 'access'])

/** A request path and query fit for a log line: capabilities in the path or the query masked. */
export const loggableUrl = (url: string): string => {
  const start = url.indexOf('/', url.indexOf('//') + 2)
  return maskUrlCapabilities(start < 0 ? '/' : url.slice(start))
}

export interface AccessLog {
  /** When the request started, or undefined when the line is off (the request pays nothing more). */
  start(): number | undefined
  /** Writes the request's line once its response is known. */
  finish(c: Context, started: number): void
}

/**
 * One DEBUG line per request (`GET /api/x?token=[REDACTED] 200 3ms`): off at the default level,
 * there when an admin turns the level to debug to watch traffic live. `enabled` is the run-time
 * level check.
 */
export const accessLog = (options: { now?: () => number; enabled?: () => boolean } = {}): AccessLog => {
  const now = options.now ?? Date.now
  const enabled = options.enabled ?? (() => log.isEnabledFor('debug'))
  return {
    start: () => (enabled() ? now() : undefined),
    finish: (c, started) =>
      log.debug('{method} {url} {status} {ms}ms', {
        method: c.req.method,
        url: loggableUrl(c.req.url),
        status: c.res.status,
        ms: now() - started,
      }),
  }
}
