import type { Services } from '../gateway/services'
import type { ServiceContext } from './service-context'

/**
 * The default implementation of every subsystem the context can support. A subsystem whose
 * requirements are missing (no database, no LLM configured) is left out, so its routes answer 503.
 * Services passed to `createGateway({ services })` replace these.
 */
export async function createDefaultServices(ctx: ServiceContext): Promise<Partial<Services>> {
  const services: Partial<Services> = {}
  void ctx
  return services
}
