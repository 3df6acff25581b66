/**
 * Tab-scoped storage (sessionStorage): the token and the stream position live and die with the
 * tab, never in a URL. Every access is guarded: storage may be disabled or full.
 */
const PREFIX = 'gateway.'

export const tabStorage = {
  get<T>(key: string): T | undefined {
    try {
      const raw = sessionStorage.getItem(PREFIX + key)
      return raw === null ? undefined : (JSON.parse(raw) as T)
    } catch {
      return undefined
    }
  },
  set(key: string, value: unknown): void {
    try {
      sessionStorage.setItem(PREFIX + key, JSON.stringify(value))
    } catch {
      // quota or disabled storage: the app still works, it just forgets on reload
    }
  },
  remove(key: string): void {
    try {
      sessionStorage.removeItem(PREFIX + key)
    } catch {
      // ignore
    }
  },
  /** Forgets everything this app kept in the tab (sign-out). */
  clear(): void {
    try {
      for (const key of Object.keys(sessionStorage)) if (key.startsWith(PREFIX)) sessionStorage.removeItem(key)
    } catch {
      // ignore
    }
  },
}

/** Preferences that are not secret and may outlive the tab (theme, panel sizes). */
export const preferences = {
  get(key: string): string | undefined {
    try {
      return localStorage.getItem(PREFIX + key) ?? undefined
    } catch {
      return undefined
    }
  },
  set(key: string, value: string): void {
    try {
      localStorage.setItem(PREFIX + key, value)
    } catch {
      // ignore
    }
  },
}
