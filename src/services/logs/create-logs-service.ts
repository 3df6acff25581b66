import type { ServiceContext } from '../service-context'
import { LogsService } from './logs-service'

/** The live logs and run-time level over the process's logging (needs `createGateway({ logging })`). */
export function createLogsService(ctx: ServiceContext): LogsService | undefined {
  if (!ctx.logging) return undefined
  const logs = new LogsService(ctx.logging, ctx.hub.bus)
  ctx.onClose(() => logs.close())
  return logs
}
