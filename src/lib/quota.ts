import { GatewayError } from './errors'

/**
 * 429 `quota_exceeded`: the caller holds as many of something as one user may (threads,
 * routines, skills, tickets, open jobs). Waiting does not help by itself, deleting does; where
 * time does free a slot (tickets expire, jobs finish), `retryAfterSecs` says when to look again.
 *
 * @example throw quotaExceeded('routines', 100, 'delete one first')
 */
export function quotaExceeded(what: string, limit: number, hint: string, retryAfterSecs?: number): GatewayError {
  return new GatewayError(429, 'quota_exceeded', `You have reached the limit of ${limit} ${what}; ${hint}`, {
    details: { quota: what, limit },
    ...(retryAfterSecs === undefined ? {} : { headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSecs))) } }),
  })
}
