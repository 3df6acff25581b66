import { z } from 'zod'
import { Role } from './users'

/** How a web session was opened. */
export const SessionMethod = z.enum(['token', 'proxy', 'oidc'])
export type SessionMethod = z.infer<typeof SessionMethod>

/** A web app cookie session as the tokens page lists it (never its secret). */
export const SessionInfo = z.object({
  id: z.string(),
  method: SessionMethod,
  /** The proxy header's value or `<issuer> <sub>` it was opened for; null for a pasted token. */
  subject: z.string().nullable(),
  user_agent: z.string().nullable(),
  created_at: z.string(),
  last_seen_at: z.string(),
  /** The absolute end; the idle timeout may end it sooner (`idle_expires_at`). */
  expires_at: z.string(),
  idle_expires_at: z.string(),
  revoked_at: z.string().nullable(),
  /** The session this request came with. */
  current: z.boolean(),
})
export type SessionInfo = z.infer<typeof SessionInfo>

export const SessionList = z.object({ sessions: z.array(SessionInfo) })
export type SessionList = z.infer<typeof SessionList>

/** `GET/POST /api/auth/session`: who the cookie signs in, and the CSRF token its writes need. */
export const CurrentSession = z.object({
  user_id: z.string(),
  role: Role,
  display_name: z.string().nullable(),
  session: SessionInfo,
  /** Send as `X-CSRF-Token` on every POST/PUT/PATCH/DELETE that authenticates by the cookie. */
  csrf_token: z.string(),
})
export type CurrentSession = z.infer<typeof CurrentSession>

export const SessionIdParam = z.object({ id: z.string().min(1).max(64) })

export const SessionRevoked = z.object({ id: z.string(), status: z.literal('revoked') })
export type SessionRevoked = z.infer<typeof SessionRevoked>

/** `GET /api/auth/methods`: how this gateway lets a person sign in to the web app. */
export const SignInMethods = z.object({
  token: z.literal(true),
  /** Cookie sessions need the database; without one the web app keeps the token in the tab. */
  sessions: z.boolean(),
  trusted_proxy: z.boolean(),
  oidc: z.object({ enabled: z.boolean(), name: z.string(), login_path: z.string() }),
})
export type SignInMethods = z.infer<typeof SignInMethods>
