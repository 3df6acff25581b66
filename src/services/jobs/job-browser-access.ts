import { GatewayError, notFound } from '../../lib/errors'
import type { EventBus } from '../../ports/event-bus'
import type { EventSink } from '../../ports/event-sink'
import type { Principal } from '../../ports/principal'
import type { SandboxRuntime } from '../../ports/sandbox'
import type { JobEventList, JobLinks } from '../../protocol/jobs'
import { JobEventStreams } from './job-event-streams'
import type { LinkCredentials, JobLinks as LinkSigner } from './job-links'
import type { JobRepository } from './job-repository'
import type { JobRecord } from './job-rows'
import { jobEventRecord } from './job-views'
import { jobWorkspace } from './job-workspace'
import type { JobAccess, JobRef, JobWorkspace, LinkScope } from './port'

/**
 * What a browser opens without a bearer header: the signed links a job's detail carries, the job
 * they name, its event stream (replayed from the log, then live) and its files for `/projects`.
 */
export class JobBrowserAccess {
  readonly #repo: JobRepository
  readonly #signer: LinkSigner
  readonly #credentials: LinkCredentials
  readonly #sandbox: SandboxRuntime
  readonly #workspaceOf: (job: Pick<JobRecord, 'workspace_id'>) => string
  /** Open `GET /api/jobs/{id}/events` streams on this instance. */
  readonly #streams: JobEventStreams

  constructor(deps: {
    repo: JobRepository
    links: LinkSigner
    credentials: LinkCredentials
    sandbox: SandboxRuntime
    bus: EventBus
    workspaceOf: (job: Pick<JobRecord, 'workspace_id'>) => string
  }) {
    this.#repo = deps.repo
    this.#signer = deps.links
    this.#credentials = deps.credentials
    this.#sandbox = deps.sandbox
    this.#workspaceOf = deps.workspaceOf
    this.#streams = new JobEventStreams(deps.repo, deps.bus)
  }

  /**
   * Signed links for a browser, minted for the job's user by `principal` (the request's own
   * credential, which each use of the link checks again): the files (`/projects/...`) and the
   * event stream.
   */
  async links(job: JobRecord, principal: Principal): Promise<JobLinks> {
    const exp = this.#signer.expiry()
    const ref = this.#credentials.credentialRef(principal)
    const credential = { ref, binding: this.#credentials.credentialBinding(ref) }
    const [browse, events] = await Promise.all([
      this.#signer.sign('browse', job.user_id, job.id, credential, exp),
      this.#signer.sign('events', job.user_id, job.id, credential, exp),
    ])
    return {
      browse_url: `/projects/${job.id}.${browse}/`,
      events_url: `/api/jobs/${job.id}/events?ticket=${events}`,
      expires_at: new Date(exp * 1000).toISOString(),
    }
  }

  /**
   * The job a signed link names, and the principal the link acts for: its signature and expiry,
   * then that the credential it was minted with still authenticates the job's user. 404 for a
   * missing job or a bad signature, 401 `link_expired` for an expired link, 401 `link_revoked`
   * when the token was revoked or expired, or the user suspended or deleted.
   */
  async authorize(jobId: string, link: { scope: LinkScope; token: string }): Promise<JobAccess> {
    const job = await this.#repo.get(jobId)
    if (!job) throw notFound('job', 'Not found')
    const verdict = await this.#signer.verify(link.scope, job.user_id, job.id, link.token, (ref) => this.#credentials.credentialBinding(ref))
    if (verdict.status === 'expired') throw new GatewayError(401, 'link_expired', 'This link has expired; open it again from the app')
    if (verdict.status !== 'valid') throw notFound('job', 'Not found')
    const principal = await this.#credentials.checkCredential(job.user_id, verdict.credential)
    if (!principal) throw new GatewayError(401, 'link_revoked', 'The token this link was made with no longer works (revoked, expired or its user suspended)')
    return { job, principal }
  }

  async events(job: JobRef, after: number, limit: number): Promise<JobEventList> {
    const events = await this.#repo.events(job.id, after, limit + 1)
    return { job_id: job.id, events: events.slice(0, limit).map(jobEventRecord), has_more: events.length > limit }
  }

  streamEvents(job: JobRef, sink: EventSink, afterSeq: number, opener: { tokenId: string | null }): void {
    this.#streams.open({ id: job.id, userId: job.user_id }, sink, afterSeq, opener)
  }

  async workspace(job: JobRef): Promise<JobWorkspace> {
    // A restarted job works in the directory of the job it retries.
    const record = await this.#repo.get(job.id)
    if (!record) throw notFound('job', 'Not found')
    return jobWorkspace(this.#sandbox.fs, this.#workspaceOf(record))
  }

  /** Ends every stream with a final `shutdown` event (clients reconnect with `Last-Event-ID`). */
  closeStreams(): void {
    this.#streams.closeAll()
  }
}
