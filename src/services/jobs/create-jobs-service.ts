import { randomHex } from '../../lib/crypto'
import { isoNow } from '../../lib/time'
import type { ServiceContext } from '../service-context'
import { JobsToolProvider } from './create-job-tool'
import { JobEventLog } from './job-event-log'
import { JobLinks } from './job-links'
import { JobRepository } from './job-repository'
import { JobsService } from './jobs-service'

/**
 * The default jobs subsystem: needs a database (records, event logs) and the runtime's sandbox
 * (files, processes). Recovers jobs left over by the last run, offers `create_job` to the agent,
 * stops its processes on close and erases a deleted user's jobs and workspaces.
 */
export async function createJobsService(ctx: ServiceContext): Promise<JobsService | undefined> {
  const store = ctx.store
  const sandbox = ctx.runtime.sandbox
  if (!store || !sandbox) return undefined
  const repo = new JobRepository(store.db)
  const secret = await repo.signingSecret('job_links', () => randomHex(32), isoNow(ctx.clock))
  const links = await JobLinks.create(secret, ctx.config.jobs.linkTtlSecs, ctx.clock)
  const jobsRoot = await sandbox.fs.ensureDir(`${ctx.config.dataDir}/jobs`)
  const service = new JobsService({
    repo,
    events: new JobEventLog(repo, ctx.hub, ctx.clock),
    sandbox,
    config: ctx.config.jobs,
    jobsRoot,
    links,
    credentials: ctx.auth,
    budget: ctx.budget,
    openJobsPerUser: ctx.config.limits.quotas.openJobsPerUser,
    bus: ctx.hub.bus,
    clock: ctx.clock,
    exclusive: store.dialect === 'sqlite',
  })
  await service.start()
  ctx.tools.addProvider(new JobsToolProvider(service))
  ctx.onClose(() => service.close())
  ctx.onDeleteUser((userId) => service.deleteUser(userId))
  return service
}
