import { getLogger } from '@logtape/logtape'
import type { SecretsPort } from '../secrets/port'
import { randomHex } from '../../lib/crypto'
import { actionFailure, errorMessage } from '../../lib/errors'
import type { Clock } from '../../lib/time'
import type { ExtensionManifest } from '../../protocol/extensions'
import type { InstallRecord } from './extension-rows'
import { refreshTokens, type TokenSet } from './oauth'

const log = getLogger(['gateway', 'extensions'])

/** What a user still has to provide before an extension can start, and the values it has. */
export interface Assessment {
  missingSecrets: string[]
  missingFields: string[]
  /** The manual token (`auth.token_secret`) is missing. */
  tokenMissing: boolean
  /** The OAuth access token is missing (or expired and not refreshable). */
  oauthMissing: boolean
  secrets: Record<string, string>
  fields: Record<string, string>
}

const secretsUnavailable = (extra: Record<string, unknown> = {}) =>
  actionFailure(503, 'secrets_unavailable', 'Secrets cannot be stored on this gateway (it needs a database and a master key)', extra)

/** Where an OAuth refresh token is kept, beside its access token. */
const refreshSecretName = (tokenSecret: string): string => `${tokenSecret.slice(0, 56)}_refresh`

export interface ExtensionCredentialsDeps {
  /** Read at call time: the secrets subsystem may be wired after start-up. */
  secrets: () => SecretsPort | undefined
  fetcher: typeof fetch
  clock: Clock
  tokenTimeoutMs: number
}

/**
 * An extension's credentials in the user's secrets: what is missing, renewing an expired OAuth
 * token with its refresh token, storing new tokens, and creating `auto_generate` secrets.
 */
export class ExtensionCredentials {
  constructor(private readonly deps: ExtensionCredentialsDeps) {}

  /** The secrets port, or 503 `secrets_unavailable`. */
  port(extra?: Record<string, unknown>): SecretsPort {
    const port = this.deps.secrets()
    if (!port) throw secretsUnavailable(extra)
    return port
  }

  get available(): boolean {
    return this.deps.secrets() !== undefined
  }

  async assess(userId: string, record: InstallRecord, manifest: ExtensionManifest): Promise<Assessment> {
    const port = this.deps.secrets()
    const secrets: Record<string, string> = {}
    const names = new Set([...manifest.secrets.map((s) => s.name), ...(manifest.oauth ? [manifest.oauth.token_secret] : [])])
    if (port) {
      for (const name of names) {
        const value = await port.get(userId, name)
        if (value) secrets[name] = value
      }
      if (manifest.oauth && !secrets[manifest.oauth.token_secret]) {
        const refreshed = await this.#refresh(userId, record.name, manifest.oauth, port)
        if (refreshed) secrets[manifest.oauth.token_secret] = refreshed
      }
    }
    const fields: Record<string, string> = {}
    const missingFields: string[] = []
    for (const field of manifest.fields) {
      const value = record.config[field.name] || field.default || ''
      fields[field.name] = value
      if (!value && !field.optional) missingFields.push(field.name)
    }
    return {
      // Auto-generated secrets are never missing: activation creates them.
      missingSecrets: manifest.secrets.filter((s) => !s.optional && !s.auto_generate && !secrets[s.name] && s.name !== manifest.auth?.token_secret).map((s) => s.name),
      missingFields,
      tokenMissing: manifest.auth ? !secrets[manifest.auth.token_secret] : false,
      oauthMissing: manifest.oauth ? !secrets[manifest.oauth.token_secret] : false,
      secrets,
      fields,
    }
  }

  /** Creates the `auto_generate` secrets the user has not set (256 random bits each), into `state`. */
  async generateMissing(userId: string, name: string, manifest: ExtensionManifest, state: Assessment): Promise<void> {
    for (const secret of manifest.secrets) {
      if (!secret.auto_generate || state.secrets[secret.name]) continue
      const value = randomHex()
      await this.port({ activated: false }).set(userId, secret.name, value, { provider: `extension:${name}` })
      state.secrets[secret.name] = value
    }
  }

  async storeTokens(userId: string, name: string, tokenSecret: string, tokens: TokenSet): Promise<void> {
    const port = this.port()
    const provider = `oauth:${name}`
    // Expire a little early so a token is never used in its last seconds.
    const expiresAt = tokens.expiresIn ? new Date(this.deps.clock.now() + Math.max(0, tokens.expiresIn - 30) * 1000).toISOString() : null
    await port.set(userId, tokenSecret, tokens.accessToken, { provider, expiresAt })
    if (tokens.refreshToken) await port.set(userId, refreshSecretName(tokenSecret), tokens.refreshToken, { provider })
  }

  /** An expired OAuth access token renewed with the stored refresh token (undefined when there is none or it fails). */
  async #refresh(userId: string, name: string, oauth: NonNullable<ExtensionManifest['oauth']>, port: SecretsPort): Promise<string | undefined> {
    const refreshToken = await port.get(userId, refreshSecretName(oauth.token_secret))
    if (!refreshToken) return undefined
    try {
      const tokens = await refreshTokens(oauth, refreshToken, this.deps.fetcher, this.deps.tokenTimeoutMs)
      await this.storeTokens(userId, name, oauth.token_secret, { ...tokens, refreshToken: tokens.refreshToken ?? refreshToken })
      return tokens.accessToken
    } catch (error) {
      log.info('refreshing the OAuth token of {name} failed: {error}', { name, error: errorMessage(error) })
      return undefined
    }
  }
}
