import type { Setting } from '../../protocol/settings'

/** Per-user settings: JSON values under validated keys. */
export interface SettingsPort {
  list(userId: string): Promise<Setting[]>
  get(userId: string, key: string): Promise<Setting | undefined>
  set(userId: string, key: string, value: unknown): Promise<Setting>
  /** False when there was no such setting. */
  delete(userId: string, key: string): Promise<boolean>
  /** All of a user's settings as one object (own properties only; `__proto__` is just a key). */
  export(userId: string): Promise<Record<string, unknown>>
  /** Upserts `values` in one transaction; `replace` first removes the user's other settings. */
  import(userId: string, values: Record<string, unknown>, mode: 'merge' | 'replace'): Promise<number>
}
