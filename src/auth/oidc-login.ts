import * as oidc from 'openid-client'
import { GatewayError } from '../lib/errors'
import { LruMap } from '../lib/lru'
import type { Role } from '../protocol/users'

export interface OidcSettings {
  issuer: string
  clientId: string
  clientSecret?: string | undefined
  scopes: string
  roleClaim?: string | undefined
  adminValues: readonly string[]
}

/** What a finished login proved: who (by issuer and `sub`), and what the provider says of them. */
export interface OidcIdentity {
  issuer: string
  subject: string
  displayName: string | null
  email: string | null
  /** From `GATEWAY_OIDC_ROLE_CLAIM`; null when no claim is configured. */
  role: Role | null
}

interface Pending {
  verifier: string
  nonce: string
  redirectUri: string
  expiresAt: number
}

/** How long a started login may take at the provider. */
const PENDING_TTL_MS = 10 * 60_000

/**
 * OIDC sign-in, authorization code flow with PKCE (S256), `state` and `nonce`, on `openid-client`
 * (Web APIs only: runs in `src/`). The provider is discovered once (again after a failure). The ID
 * token's signature is checked against the provider's JWKS even though it came straight from the
 * token endpoint (`enableNonRepudiationChecks`), and its issuer, audience, expiry and nonce by the
 * library. A started login is held in memory, single use, for ten minutes: a replayed or unknown
 * `state` is refused, and the browser that started it must finish it (a cookie binds the two).
 */
export class OidcLogin {
  readonly #pending = new LruMap<string, Pending>(1000)
  #config: Promise<oidc.Configuration> | undefined

  constructor(
    readonly settings: OidcSettings,
    private readonly now: () => number,
  ) {}

  async start(redirectUri: string): Promise<{ url: string; state: string }> {
    const config = await this.#discovered()
    const verifier = oidc.randomPKCECodeVerifier()
    const state = oidc.randomState()
    const nonce = oidc.randomNonce()
    this.#pending.set(state, { verifier, nonce, redirectUri, expiresAt: this.now() + PENDING_TTL_MS })
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: this.settings.scopes,
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    })
    return { url: url.href, state }
  }

  /** Finishes a login from the provider's redirect (its query); throws a clear 4xx otherwise. */
  async finish(query: URLSearchParams, state: string): Promise<OidcIdentity> {
    const pending = this.#pending.get(state)
    // Single use: a replayed callback finds nothing.
    this.#pending.delete(state)
    if (!pending || pending.expiresAt <= this.now()) {
      throw new GatewayError(400, 'oidc_state_unknown', 'This sign-in link was already used or has expired; start the sign-in again')
    }
    const providerError = query.get('error')
    if (providerError) throw new GatewayError(401, 'oidc_denied', `The identity provider refused the sign-in: ${providerError.slice(0, 100)}${query.get('error_description') ? ` (${query.get('error_description')!.slice(0, 200)})` : ''}`)
    const config = await this.#discovered()
    const current = new URL(pending.redirectUri)
    current.search = query.toString()
    let claims: oidc.IDToken | undefined
    try {
      const tokens = await oidc.authorizationCodeGrant(config, current, { pkceCodeVerifier: pending.verifier, expectedState: state, expectedNonce: pending.nonce, idTokenExpected: true })
      claims = tokens.claims()
    } catch (error) {
      throw new GatewayError(401, 'oidc_login_failed', `The identity provider's answer was refused: ${reason(error)}`)
    }
    if (!claims) throw new GatewayError(401, 'oidc_login_failed', 'The identity provider returned no ID token')
    const text = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null)
    return {
      issuer: claims.iss,
      subject: claims.sub,
      displayName: text(claims.name) ?? text(claims.preferred_username) ?? text(claims.email),
      email: claims.email_verified === true ? text(claims.email) : null,
      role: this.#role(claims),
    }
  }

  #role(claims: oidc.IDToken): Role | null {
    const name = this.settings.roleClaim
    if (!name) return null
    const value = name.split('.').reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), claims)
    const values = Array.isArray(value) ? value : value === undefined ? [] : [value]
    return values.some((v) => typeof v === 'string' && this.settings.adminValues.includes(v)) ? 'admin' : 'member'
  }

  #discovered(): Promise<oidc.Configuration> {
    this.#config ??= this.#discover().catch((error: unknown) => {
      this.#config = undefined
      throw new GatewayError(503, 'oidc_unavailable', `Cannot reach the identity provider ${this.settings.issuer}: ${reason(error)}`)
    })
    return this.#config
  }

  async #discover(): Promise<oidc.Configuration> {
    const issuer = new URL(this.settings.issuer)
    // Plain http only to a provider on this machine (development, tests): the code and tokens cross it.
    const insecure = issuer.protocol === 'http:'
    if (insecure && !/^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(issuer.hostname)) {
      throw new Error('GATEWAY_OIDC_ISSUER must be https (plain http only on loopback)')
    }
    const auth = this.settings.clientSecret ? oidc.ClientSecretPost(this.settings.clientSecret) : oidc.None()
    const config = await oidc.discovery(issuer, this.settings.clientId, undefined, auth, {
      ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      timeout: 10,
    })
    oidc.enableNonRepudiationChecks(config)
    return config
  }
}

const reason = (error: unknown): string => {
  const message = error instanceof Error ? error.message : String(error)
  const cause = error instanceof Error && error.cause && typeof error.cause === 'object' && 'message' in error.cause ? `: ${String(error.cause.message)}` : ''
  return (message + cause).slice(0, 300)
}
