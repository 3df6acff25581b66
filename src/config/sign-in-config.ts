import { z } from 'zod'
import { Role } from '../protocol/users'

/** Cookie sessions of the web app (`/api/auth/session`). */
export const SessionConfig = z.object({
  /** A session ends this long after sign-in, however active (`GATEWAY_SESSION_TTL_HOURS`, 7 days). */
  ttlMs: z.number().int().positive().default(7 * 86_400_000),
  /** ...or after this long without a request (`GATEWAY_SESSION_IDLE_HOURS`, 12 hours). */
  idleMs: z.number().int().positive().default(12 * 3_600_000),
})

/**
 * Identity from a reverse proxy that authenticated the user (Authelia, Authentik, oauth2-proxy):
 * the header is believed only from `proxies` (addresses or CIDRs); from anyone else it is refused.
 */
export const TrustedProxyConfig = z.object({
  /** `GATEWAY_TRUSTED_PROXY_HEADER`, e.g. `Remote-User`; unset = off. */
  header: z.string().regex(/^[A-Za-z0-9-]+$/, 'a header name').optional(),
  /** `GATEWAY_TRUSTED_PROXIES`: comma-separated addresses or CIDRs (`10.0.0.0/8`, `::1`). */
  proxies: z.array(z.string()).default([]),
  /** `GATEWAY_TRUSTED_PROXY_DEFAULT_ROLE`: the role of a user seen for the first time. */
  defaultRole: Role.default('member'),
})

/** OIDC login (authorization code + PKCE) against the operator's identity provider. */
export const OidcConfig = z.object({
  /** `GATEWAY_OIDC_ISSUER`; unset = off. */
  issuer: z.url().optional(),
  clientId: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  /** `GATEWAY_OIDC_SCOPES` (space-separated). */
  scopes: z.string().default('openid profile email'),
  /** `GATEWAY_OIDC_ROLE_CLAIM`: a claim (string or array, e.g. `groups`) that decides the role. */
  roleClaim: z.string().optional(),
  /** `GATEWAY_OIDC_ADMIN_VALUES`: values of the role claim that make an admin (default `admin`). */
  adminValues: z.array(z.string()).default(['admin']),
  /** `GATEWAY_OIDC_DEFAULT_ROLE`: the role without the claim (or without an admin value). */
  defaultRole: Role.default('member'),
  /** `GATEWAY_OIDC_REDIRECT_URL`; default `<GATEWAY_PUBLIC_URL or the request's origin>/api/auth/oidc/callback`. */
  redirectUrl: z.url().optional(),
  /** `GATEWAY_OIDC_NAME`: the sign-in button's label. */
  displayName: z.string().default('single sign-on'),
})

export const SignInConfig = z.object({
  /** `GATEWAY_PUBLIC_URL`: the address users open; https makes session cookies Secure. */
  publicUrl: z.url().optional(),
  sessions: SessionConfig.default(SessionConfig.parse({})),
  trustedProxy: TrustedProxyConfig.default(TrustedProxyConfig.parse({})),
  oidc: OidcConfig.default(OidcConfig.parse({})),
})
export type SignInConfig = z.infer<typeof SignInConfig>

type Env = Record<string, string | undefined>

const list = (value: string | undefined, separator = ','): string[] =>
  (value ?? '').split(separator).map((s) => s.trim()).filter(Boolean)
const hours = (value: string | undefined): number | undefined =>
  value === undefined || value === '' ? undefined : Math.round(Number(value) * 3_600_000)

/** The `GATEWAY_*` settings of sign-in (see the README's "Signing in"). */
export function signInFromEnv(env: Env): z.input<typeof SignInConfig> {
  return {
    publicUrl: env.GATEWAY_PUBLIC_URL || undefined,
    sessions: { ttlMs: hours(env.GATEWAY_SESSION_TTL_HOURS), idleMs: hours(env.GATEWAY_SESSION_IDLE_HOURS) },
    trustedProxy: {
      header: env.GATEWAY_TRUSTED_PROXY_HEADER || undefined,
      proxies: list(env.GATEWAY_TRUSTED_PROXIES),
      defaultRole: (env.GATEWAY_TRUSTED_PROXY_DEFAULT_ROLE || undefined) as Role | undefined,
    },
    oidc: {
      issuer: env.GATEWAY_OIDC_ISSUER || undefined,
      clientId: env.GATEWAY_OIDC_CLIENT_ID || undefined,
      clientSecret: env.GATEWAY_OIDC_CLIENT_SECRET || undefined,
      scopes: env.GATEWAY_OIDC_SCOPES || undefined,
      roleClaim: env.GATEWAY_OIDC_ROLE_CLAIM || undefined,
      adminValues: env.GATEWAY_OIDC_ADMIN_VALUES ? list(env.GATEWAY_OIDC_ADMIN_VALUES) : undefined,
      defaultRole: (env.GATEWAY_OIDC_DEFAULT_ROLE || undefined) as Role | undefined,
      redirectUrl: env.GATEWAY_OIDC_REDIRECT_URL || undefined,
      displayName: env.GATEWAY_OIDC_NAME || undefined,
    },
  }
}
