import type { Context } from 'hono'
import { bearerToken } from '../auth/authenticator'
import { GatewayError, need } from '../lib/errors'
import type { GatewayEnv } from '../ports/env'
import type { Principal } from '../ports/principal'
import type { JobRef, JobsPort, LinkScope } from '../services/jobs/port'
import type { RouteDeps } from './deps'

const unauthorized = () =>
  new GatewayError(401, 'unauthorized', 'Invalid or missing auth token', { headers: { 'WWW-Authenticate': 'Bearer' } })

/**
 * Who may see a job on the routes a browser opens without a bearer header (`/projects/...` in a
 * new tab, the event stream through EventSource): the job's user with `Authorization: Bearer`, or
 * anyone holding a valid signed link made for this job and this purpose, whose minting
 * credential still authenticates that user (checked on every use). A header, when present,
 * decides alone (a wrong one is not rescued by a link). `?token=` is never read here.
 *
 * 401: no credentials, a wrong token, an expired link, a link whose token was revoked or whose
 * user was suspended. 404: no such job, another user's job, or a link whose signature does not
 * match (indistinguishable from a missing job).
 */
export async function authorizeJob(
  c: Context<GatewayEnv>,
  d: RouteDeps,
  jobId: string,
  link: { scope: LinkScope; token: string | undefined },
): Promise<{ jobs: JobsPort; job: JobRef; principal: Principal }> {
  const jobs = need(d.services.jobs, 'jobs')
  const header = c.req.header('authorization')
  if (header !== undefined) {
    const token = bearerToken(header)
    const principal = token === undefined ? null : await d.auth.authenticate(token)
    if (!principal) throw unauthorized()
    return { jobs, ...(await jobs.authorize(jobId, { principal })) }
  }
  if (link.token === undefined) throw unauthorized()
  return { jobs, ...(await jobs.authorize(jobId, { scope: link.scope, token: link.token })) }
}
