import type { EventSink } from '../../ports/event-sink'
import type { Principal } from '../../ports/principal'
import type { WorkspaceDirEntry, WorkspaceStat } from '../../ports/sandbox'
import type {
  CreateJobRequest,
  JobDetail,
  JobEventList,
  JobKind,
  JobLinks,
  JobListItem,
  JobPromptRequest,
  JobSummary,
  WorkspaceFile,
  WorkspaceListing,
} from '../../protocol/jobs'

/** What a signed link grants: browsing a job's files, or reading its event stream. */
export type LinkScope = 'browse' | 'events'

/** A job a route was allowed to open (`JobsPort.authorize`). */
export interface JobRef {
  id: string
  user_id: string
  title: string
}

/** Who a browser route opened a job for: the bearer's principal, or the one a signed link acts for. */
export interface JobAccess {
  job: JobRef
  principal: Principal
}

/** A job's workspace as `/projects/...` serves it. Paths are validated segments; failures are `GatewayError`s. */
export interface JobWorkspace {
  /** The segments of a URL path tail, each percent-decoded once (400 for encoded separators or control characters). */
  segments(rawTail: string): Promise<string[]>
  stat(path: readonly string[]): Promise<WorkspaceStat>
  /** Directories first, then by name. */
  list(path: readonly string[]): Promise<WorkspaceDirEntry[]>
  open(path: readonly string[]): Promise<{ body: ReadableStream<Uint8Array>; size: number }>
}

/**
 * Sandbox jobs (contract §8): long-running agent or CLI work, each in a workspace of its own.
 * Every method that takes a `userId` answers 404 for another user's job. Default: `JobsService`
 * (needs a database and the runtime's sandbox).
 */
export interface JobsPort {
  list(userId: string, limit: number): Promise<JobListItem[]>
  summary(userId: string): Promise<JobSummary>
  /** The caller's job, with fresh signed links minted by the caller's credential (which each use re-checks). */
  get(caller: Principal, id: string): Promise<JobDetail>
  /**
   * 503 when the kind is unavailable, 429 when the user has too many jobs waiting or open, or
   * when the turn cannot be drawn from the user's model-call budget (`prepaid`: the caller, a
   * routine run, already drew it).
   */
  create(userId: string, input: CreateJobRequest, origin?: { threadId?: string | undefined; prepaid?: boolean | undefined }): Promise<JobRef>
  /** 409 unless the job is pending or running; its processes are gone when this resolves. */
  cancel(userId: string, id: string): Promise<void>
  /** Retries a failed or cancelled job as a new job in the same workspace (409 otherwise); draws a turn from the budget. */
  restart(userId: string, id: string): Promise<JobRef>
  /** A follow-up: queued behind the running turn, or `sent` as a new turn of a completed job; draws a turn from the budget. */
  prompt(userId: string, id: string, input: JobPromptRequest): Promise<'queued' | 'sent'>
  /** Fresh signed links to the caller's job's files and event stream, minted by the caller's credential. */
  links(caller: Principal, id: string): Promise<JobLinks>
  listFiles(userId: string, id: string, path: string): Promise<WorkspaceListing>
  readFile(userId: string, id: string, path: string): Promise<WorkspaceFile>
  /**
   * The job a browser route may open: the caller's own (`principal`, from a bearer header) or the
   * one a signed link names, whose minting credential must still authenticate the job's user
   * (checked on every use). 404 for a missing job, another user's, or a bad signature; 401
   * `link_expired` for a real link that is too old, `link_revoked` when its token was revoked or
   * expired, or its user suspended or deleted.
   */
  authorize(jobId: string, by: { principal: Principal } | { scope: LinkScope; token: string }): Promise<JobAccess>
  /** The job's persisted events after `after` (at most `limit`). */
  events(job: JobRef, after: number, limit: number): Promise<JobEventList>
  /**
   * Streams the job's events after `afterSeq` to `sink`, then new ones, until the sink closes (the
   * route keeps it alive). `opener.tokenId`: the API token that opened it (bearer or the link's
   * minting token), so revoking it, or suspending the user, ends the stream on every instance.
   */
  streamEvents(job: JobRef, sink: EventSink, afterSeq: number, opener: { tokenId: string | null }): void
  workspace(job: JobRef): Promise<JobWorkspace>
  /** Kinds a new job can have right now. */
  availableKinds(): JobKind[]
  /** The isolation in force (`bwrap`, `process`, `files_only`), shown in the gateway status. */
  readonly isolation: string
}
