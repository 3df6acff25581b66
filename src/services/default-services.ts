import type { Services } from '../gateway/services'
import type { ServiceContext } from './service-context'
import { createSkillsService } from './skills/create-skills-service'
import { createExtensionsService } from './extensions/create-extensions-service'
import { UsageService } from './usage/usage-service'
import { createUsersServices } from './users/create-users-services'

/**
 * The default implementation of every subsystem the context can support. A subsystem whose
 * requirements are missing (no database, no LLM configured) is left out, so its routes answer 503.
 * Services passed to `createGateway({ services })` replace these.
 */
export async function createDefaultServices(ctx: ServiceContext): Promise<Partial<Services>> {
  const services: Partial<Services> = {}
  const store = ctx.store
  if (store) {
    const usage = new UsageService(store.db, ctx.clock)
    services.usage = usage
    ctx.onDeleteUser((userId) => usage.deleteUser(userId))
    ctx.onDeleteUser(async (userId) => {
      await store.db.deleteFrom('events').where('user_id', '=', userId).execute()
    })
  }
  Object.assign(services, await createUsersServices(ctx))
  services.skills = createSkillsService(ctx)
  const extensions = await createExtensionsService(ctx)
  if (extensions) Object.assign(services, { extensions, extensionAuth: extensions })
  return services
}
