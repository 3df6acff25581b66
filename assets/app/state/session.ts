import { signal } from '@preact/signals'
import { api } from '../api/index'
import { ApiError, handleUnauthorized, setToken } from '../api/client'
import type { WhoAmI } from '../api/types'
import { tabStorage } from '../lib/storage'

/**
 * Who is signed in to this tab. The token lives in the tab's sessionStorage (gone when the tab
 * closes) and in memory; it is sent only in the Authorization header, never in a URL.
 */
export const me = signal<WhoAmI | null>(null)
export const booting = signal(true)
export const signedOutReason = signal<string | null>(null)

const listeners = new Set<(who: WhoAmI | null) => void>()
/** Runs on sign-in and sign-out (streams start and stop). */
export const onSessionChange = (fn: (who: WhoAmI | null) => void): void => void listeners.add(fn)

export async function signIn(token: string): Promise<void> {
  const trimmed = token.trim()
  if (!trimmed) throw new ApiError(400, 'empty_token', 'Enter your gateway token.')
  const who = await api.auth.whoami(trimmed).catch((error: unknown) => {
    if (error instanceof ApiError && error.status === 401) throw new ApiError(401, 'unauthorized', 'That token was not accepted.')
    throw error
  })
  setToken(trimmed)
  tabStorage.set('token', trimmed)
  signedOutReason.value = null
  me.value = who
  for (const fn of listeners) fn(who)
}

export function signOut(reason: string | null = null): void {
  setToken(undefined)
  tabStorage.clear()
  signedOutReason.value = reason
  if (me.value) {
    me.value = null
    for (const fn of listeners) fn(null)
  }
}

/** Restores the tab's session after a reload (validating the token again). */
export async function restoreSession(): Promise<void> {
  handleUnauthorized(() => signOut('Your session ended: the token is no longer valid.'))
  const saved = tabStorage.get<string>('token')
  try {
    if (saved) await signIn(saved)
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) signOut('Your session ended: the token is no longer valid.')
    else {
      // The gateway is unreachable: keep the token and show the sign-in page with the reason.
      signedOutReason.value = error instanceof Error ? error.message : String(error)
    }
  } finally {
    booting.value = false
  }
}

export const isAdmin = (): boolean => me.value?.role === 'admin'
