import type { SettingsPort } from 'agent-gateway'
import type { Setting } from 'agent-gateway/protocol'

/**
 * A subsystem of the host app in place of the gateway's: per-user settings kept by the host
 * (in memory here; a real app would use its own database). `/api/settings/*` and the web app's
 * settings page read and write through it. `createGateway({ services: { settings: hostSettings() } })`.
 */
export function hostSettings(now: () => Date = () => new Date()): SettingsPort {
  const byUser = new Map<string, Map<string, Setting>>()
  const of = (userId: string) => byUser.get(userId) ?? byUser.set(userId, new Map()).get(userId)!
  const put = (userId: string, key: string, value: unknown): Setting => {
    const setting = { key, value, updated_at: now().toISOString() }
    of(userId).set(key, setting)
    return setting
  }
  return {
    list: async (userId) => [...of(userId).values()],
    get: async (userId, key) => of(userId).get(key),
    set: async (userId, key, value) => put(userId, key, value),
    delete: async (userId, key) => of(userId).delete(key),
    export: async (userId) => Object.fromEntries([...of(userId).values()].map((s) => [s.key, s.value])),
    import: async (userId, values, mode) => {
      if (mode === 'replace') of(userId).clear()
      for (const [key, value] of Object.entries(values)) put(userId, key, value)
      return Object.keys(values).length
    },
  }
}
