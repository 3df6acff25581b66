import { SecretCipher } from '../../lib/secret-cipher'
import type { ThreadsPort } from '../chat/port'
import type { JobsPort } from '../jobs/port'
import type { ServiceContext } from '../service-context'
import type { UsersPort } from '../users/port'
import { EventTriggers } from './event-triggers'
import { RoutineRepository } from './routine-repository'
import { RoutineRunner } from './routine-runner'
import { RoutineScheduler } from './routine-scheduler'
import { RoutinesService } from './routines-service'

/**
 * The default routines subsystem (needs a database): the service, the cron scheduler, event
 * matching on messages and stream events. Runs go through `ctx.runMessage` (the attached agent)
 * or start a job; each routine's thread is made by the threads subsystem. Runs of a suspended
 * user (read through `users`) do not fire.
 */
export async function createRoutinesService(
  ctx: ServiceContext,
  siblings: { jobs: () => JobsPort | undefined; threads: () => ThreadsPort | undefined; users: () => UsersPort | undefined },
): Promise<RoutinesService | undefined> {
  const store = ctx.store
  if (!store) return undefined
  const repo = new RoutineRepository(store.db)
  const runner = new RoutineRunner({
    repo,
    clock: ctx.clock,
    hub: ctx.hub,
    runMessage: (message, options) => ctx.runMessage(message, options),
    jobs: siblings.jobs,
    budget: ctx.budget,
    userActive: async (userId) => {
      const users = siblings.users()
      return !users || (await users.get(userId))?.status !== 'suspended'
    },
  })
  // SQLite has one gateway per data dir: runs still `running` were cut off by a stop or crash.
  if (store.dialect === 'sqlite') await repo.failAbandonedRuns('The gateway stopped while this run was in progress', new Date(ctx.clock.now()).toISOString())
  const scheduler = new RoutineScheduler(repo, runner, ctx.clock)
  const events = new EventTriggers(repo, runner, ctx.clock)
  const cipher = ctx.config.masterKey ? await SecretCipher.create(ctx.config.masterKey) : undefined
  const service = new RoutinesService({
    repo,
    runner,
    scheduler,
    events,
    clock: ctx.clock,
    cipher,
    createThread: async (userId, routineName, routineId) => {
      const threads = siblings.threads()
      if (!threads) return crypto.randomUUID() // the agent creates it on the first run
      // Titled by the routine's name (not by its first prompt), so the thread list says whose results these are.
      return threads.resolveThread(userId, undefined, routineName, { channel: 'routine', metadata: { routine_name: routineName, routine_id: routineId } })
    },
    onChange: () => events.refresh().catch(() => undefined),
    routinesPerUser: ctx.config.limits.quotas.routinesPerUser,
  })
  const offMessages = ctx.channel.observe((message) => events.track(events.onMessage(message)))
  const offEvents = ctx.hub.bus.onEvent((event) => {
    if (events.watches(event)) events.track(events.onEvent(event))
  })
  // Due slots (missed while stopped) fire once the agent is attached.
  ctx.onStart(async () => {
    await events.start()
    scheduler.start()
  })
  ctx.onDeleteUser((userId) => service.deleteUser(userId))
  ctx.onClose(async () => {
    scheduler.stop()
    events.stop()
    offMessages()
    offEvents()
    // Runs in progress end when the agent stops their turns (closed before this); wait briefly.
    await Promise.race([runner.idle(), new Promise((resolve) => setTimeout(resolve, 2_000))])
  })
  return service
}
