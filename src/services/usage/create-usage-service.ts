import type { ServiceContext } from '../service-context'
import { UsageService } from './usage-service'

/** The default usage ledger (needs a database), with the configured daily budget. */
export function createUsageService(ctx: ServiceContext): UsageService | undefined {
  if (!ctx.store) return undefined
  const usage = new UsageService(ctx.store.db, ctx.clock, ctx.config.limits.dailyBudgetUsd)
  ctx.onDeleteUser((userId) => usage.deleteUser(userId))
  return usage
}
