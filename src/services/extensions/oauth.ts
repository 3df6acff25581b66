import { z } from 'zod'
import type { ExtensionManifest } from '../../protocol/extensions'
import { errorMessage } from '../../lib/errors'

type OAuthSpec = NonNullable<ExtensionManifest['oauth']>

/** `bytes` random bytes, base64url without padding (32 bytes = 256 bits). */
export function randomToken(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)))
}

export function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** RFC 7636 S256: BASE64URL(SHA256(verifier)). */
export async function pkceChallenge(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))))
}

/** The provider's authorization URL for one flow (code flow, S256, our state). */
export function authorizationUrl(spec: OAuthSpec, flow: { redirectUri: string; state: string; challenge: string }): string {
  const url = new URL(spec.authorization_url)
  for (const [k, v] of Object.entries(spec.extra_params)) url.searchParams.set(k, v)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('client_id', spec.client_id)
  url.searchParams.set('redirect_uri', flow.redirectUri)
  if (spec.scopes.length > 0) url.searchParams.set('scope', spec.scopes.join(' '))
  url.searchParams.set('state', flow.state)
  url.searchParams.set('code_challenge', flow.challenge)
  url.searchParams.set('code_challenge_method', 'S256')
  return url.href
}

export interface TokenSet {
  accessToken: string
  refreshToken?: string | undefined
  /** Seconds until the access token expires, when the provider says. */
  expiresIn?: number | undefined
}

const TokenAnswer = z.object({
  access_token: z.string().min(1).max(8192),
  token_type: z.string().optional(),
  refresh_token: z.string().max(8192).optional(),
  expires_in: z.coerce.number().positive().optional(),
})

class OAuthError extends Error {
  override readonly name = 'OAuthError'
}

/** Trades an authorization code (with the PKCE verifier) for tokens at the manifest's token endpoint. */
export function exchangeCode(spec: OAuthSpec, input: { code: string; verifier: string; redirectUri: string }, fetcher: typeof fetch, timeoutMs: number): Promise<TokenSet> {
  return tokenRequest(spec, { grant_type: 'authorization_code', code: input.code, redirect_uri: input.redirectUri, code_verifier: input.verifier }, fetcher, timeoutMs)
}

export function refreshTokens(spec: OAuthSpec, refreshToken: string, fetcher: typeof fetch, timeoutMs: number): Promise<TokenSet> {
  return tokenRequest(spec, { grant_type: 'refresh_token', refresh_token: refreshToken }, fetcher, timeoutMs)
}

async function tokenRequest(spec: OAuthSpec, params: Record<string, string>, fetcher: typeof fetch, timeoutMs: number): Promise<TokenSet> {
  const body = new URLSearchParams({ ...params, client_id: spec.client_id })
  if (spec.client_secret) body.set('client_secret', spec.client_secret)
  let response: Response
  try {
    response = await fetcher(spec.token_url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (error) {
    throw new OAuthError(`the token endpoint could not be reached (${errorMessage(error)})`)
  }
  const text = (await response.text()).slice(0, 64 * 1024)
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    // Some providers answer form-encoded unless told otherwise.
    raw = Object.fromEntries(new URLSearchParams(text))
  }
  if (!response.ok) {
    const error = (raw as { error?: unknown; error_description?: unknown }) ?? {}
    throw new OAuthError(`the token endpoint refused the code (HTTP ${response.status}${typeof error.error === 'string' ? `: ${error.error.slice(0, 100)}` : ''})`)
  }
  const parsed = TokenAnswer.safeParse(raw)
  if (!parsed.success) throw new OAuthError('the token endpoint answered without an access token')
  return { accessToken: parsed.data.access_token, refreshToken: parsed.data.refresh_token, expiresIn: parsed.data.expires_in }
}

/**
 * A same-origin path to send the browser back to, or `/`. Refuses anything a browser could read
 * as another origin: `//evil`, `/\evil`, backslashes anywhere, schemes, control characters
 * (CRLF), and percent-encoded versions of those.
 */
export function safeRedirectPath(value: string | undefined): string {
  if (!value || value.length > 512) return '/'
  let decoded = value
  for (let i = 0; i < 3; i++) {
    try {
      const next = decodeURIComponent(decoded)
      if (next === decoded) break
      decoded = next
    } catch {
      return '/'
    }
  }
  for (const candidate of [value, decoded]) {
    if (!candidate.startsWith('/') || candidate.startsWith('//') || candidate.includes('\\')) return '/'
    if (/[\u0000-\u001f\u007f]/.test(candidate)) return '/'
  }
  const base = 'https://gateway.invalid'
  const url = new URL(value, base)
  if (url.origin !== base) return '/'
  return `${url.pathname}${url.search}${url.hash}`
}
