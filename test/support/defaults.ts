import type { Gateway } from '../../src/gateway/gateway'
import type { RoutinesService } from '../../src/services/routines/routines-service'

/** The default routines service of a gateway, for what only it has (the scheduler, the runner, `idle`). */
export const defaultRoutines = (gw: Pick<Gateway, 'services'>): RoutinesService => gw.services.routines as RoutinesService
