import type { Context } from 'hono'
import { bearerToken } from '../auth/authenticator'
import type { Principal } from '../auth/principal'
import type { RouteDeps } from '../gateway/deps'
import type { GatewayEnv } from '../gateway/env'
import { GatewayError, need, notFound } from '../lib/errors'
import type { JobRecord } from '../services/jobs/job-repository'
import type { JobsService } from '../services/jobs/jobs-service'
import type { LinkScope } from '../services/jobs/job-links'

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
): Promise<{ jobs: JobsService; job: JobRecord; principal: Principal }> {
  const jobs = need(d.services.jobs, 'jobs')
  const header = c.req.header('authorization')
  if (header !== undefined) {
    const token = bearerToken(header)
    const principal = token === undefined ? null : await d.auth.authenticate(token)
    if (!principal) throw unauthorized()
    return { jobs, job: await jobs.get(principal.userId, jobId), principal }
  }
  if (link.token === undefined) throw unauthorized()
  const job = await jobs.repo.get(jobId)
  if (!job) throw notFound('job', 'Not found')
  const verdict = await jobs.verifyLink(link.scope, job, link.token)
  if (verdict.status === 'expired') throw new GatewayError(401, 'link_expired', 'This link has expired; open it again from the app')
  if (verdict.status === 'revoked') throw new GatewayError(401, 'link_revoked', 'The token this link was made with no longer works (revoked, expired or its user suspended)')
  if (verdict.status !== 'valid') throw notFound('job', 'Not found')
  return { jobs, job, principal: verdict.principal }
}
