import type { ServiceContext } from '../service-context'
import { SettingsService } from './settings-service'

/** The default per-user settings (needs a database). */
export function createSettingsService(ctx: ServiceContext): SettingsService | undefined {
  if (!ctx.store) return undefined
  const settings = new SettingsService(ctx.store.db, ctx.clock)
  ctx.onDeleteUser((userId) => settings.deleteUser(userId))
  return settings
}
