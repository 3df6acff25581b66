import { signal } from '@preact/signals'
import { api } from '../api/index'
import { ApiError, handleUnauthorized, setCsrfToken, setToken } from '../api/client'
import type { CurrentSession, SignInMethods, WhoAmI } from '../api/types'
import { tabStorage } from '../lib/storage'

/**
 * Who is signed in to this tab. With cookie sessions (a gateway with a database) the token is
 * pasted once: it opens an HttpOnly session cookie and is forgotten; a trusted proxy or the OIDC
 * provider open one without any token. Without them, the token lives in the tab's
 * sessionStorage (gone when the tab closes) and in memory, sent only in the Authorization header.
 */
export const me = signal<WhoAmI | null>(null)
export const booting = signal(true)
export const signedOutReason = signal<string | null>(null)
/** How this gateway lets a person sign in (the sign-in page's buttons). */
export const methods = signal<SignInMethods | null>(null)

const listeners = new Set<(who: WhoAmI | null) => void>()
/** Runs on sign-in and sign-out (streams start and stop). */
export const onSessionChange = (fn: (who: WhoAmI | null) => void): void => void listeners.add(fn)

const fromSession = (s: CurrentSession): WhoAmI => ({ user_id: s.user_id, role: s.role, display_name: s.display_name, token_id: s.session.id, minted_by: null, impersonation: false })

function signedIn(who: WhoAmI): void {
  signedOutReason.value = null
  me.value = who
  for (const fn of listeners) fn(who)
}

function useSession(session: CurrentSession): void {
  // The cookie carries the session from now on; the tab keeps its chat state and stream position
  // (a reload resumes mid-answer), only a pasted token is forgotten. Sign-out clears the rest.
  setToken(undefined)
  tabStorage.remove('token')
  setCsrfToken(session.csrf_token)
  signedIn(fromSession(session))
}

export async function signIn(token: string): Promise<void> {
  const trimmed = token.trim()
  if (!trimmed) throw new ApiError(400, 'empty_token', 'Enter your gateway token.')
  const who = await api.auth.whoami(trimmed).catch((error: unknown) => {
    if (error instanceof ApiError && error.status === 401) throw new ApiError(401, 'unauthorized', 'That token was not accepted.')
    throw error
  })
  if (methods.value?.sessions !== false) {
    try {
      return useSession(await api.auth.openSession(trimmed))
    } catch (error) {
      // No database, or an impersonation token: the token stays in this tab instead.
      if (!(error instanceof ApiError) || (error.status !== 503 && error.status !== 403)) throw error
    }
  }
  setToken(trimmed)
  tabStorage.set('token', trimmed)
  signedIn(who)
}

export function signOut(reason: string | null = null): void {
  if (!reason) void api.auth.signOut().catch(() => undefined)
  setToken(undefined)
  setCsrfToken(undefined)
  tabStorage.clear()
  signedOutReason.value = reason
  if (me.value) {
    me.value = null
    for (const fn of listeners) fn(null)
  }
}

/** The reason the OIDC callback or the proxy gave for refusing a sign-in, shown on the sign-in page. */
function signInError(error: unknown): string | null {
  if (error instanceof ApiError && (error.code === 'untrusted_proxy' || error.code === 'account_suspended' || error.code === 'invalid_proxy_identity')) return error.message
  return null
}

/** Restores the tab's session after a reload: the cookie's (or the proxy's) session, else the saved token. */
export async function restoreSession(): Promise<void> {
  handleUnauthorized(() => signOut('Your session ended: sign in again.'))
  try {
    methods.value = await api.auth.methods().catch(() => null)
    if (methods.value?.sessions) {
      try {
        return useSession(await api.auth.session())
      } catch (error) {
        const refused = signInError(error)
        if (refused) signedOutReason.value = refused
        else if (!(error instanceof ApiError && error.status === 401)) throw error
      }
    }
    const saved = tabStorage.get<string>('token')
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
