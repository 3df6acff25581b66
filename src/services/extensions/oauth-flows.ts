import { constantTimeEqual, fromHex, sha256Hex } from '../../lib/crypto'
import { type Clock, isoNow, toIso } from '../../lib/time'
import type { ExtensionManifest } from '../../protocol/extensions'
import type { ExtensionRepository } from './extension-repository'
import type { FlowCookie } from './port'
import type { OAuthFlowRecord } from './extension-rows'
import { authorizationUrl, exchangeCode, pkceChallenge, randomToken, safeRedirectPath, type TokenSet } from './oauth'

/** A pending sign-in lives this long. */
const OAUTH_FLOW_TTL_MS = 5 * 60_000
/** Pending sign-ins kept at most, across users (the oldest go first). */
export const OAUTH_FLOW_CAP = 1024

/** Binds a flow to the browser that started it: an HttpOnly cookie only that browser sends back. */
/** The cookie's name for a flow (from the state's hash: no secret in it). */
export const flowCookieName = (stateHash: string): string => `gw_oauth_${stateHash.slice(0, 16)}`

/** Why a callback failed; `flow` is set when a real flow was consumed (so its user can be told). */
export class OAuthCallbackError extends Error {
  override readonly name = 'OAuthCallbackError'
  constructor(
    message: string,
    readonly flow?: OAuthFlowRecord,
  ) {
    super(message)
  }
}

/**
 * OAuth sign-ins for extensions: starting one (state, PKCE S256, browser-binding cookie) and
 * checking a callback against it. A state is 256 random bits, stored only as its hash, usable
 * once (taken atomically), for five minutes, and only from the browser holding its cookie;
 * anything else fails before a code is exchanged.
 */
export class OAuthFlows {
  constructor(
    private readonly repo: ExtensionRepository,
    private readonly clock: Clock,
    private readonly fetcher: typeof fetch,
    private readonly tokenTimeoutMs: number,
  ) {}

  async start(userId: string, extension: string, oauth: NonNullable<ExtensionManifest['oauth']>, callbackUrl: string, redirectAfter: string | undefined, secure: boolean): Promise<{ authUrl: string; cookie: FlowCookie }> {
    const state = randomToken(32)
    const stateHash = await sha256Hex(state)
    const verifier = randomToken(32)
    const binding = randomToken(32)
    const now = this.clock.now()
    await this.repo.addFlow(
      stateHash,
      {
        user_id: userId,
        extension,
        code_verifier: verifier,
        redirect_uri: callbackUrl,
        redirect_after: safeRedirectPath(redirectAfter),
        browser_hash: await sha256Hex(binding),
        created_at: toIso(now),
        expires_at: toIso(now + OAUTH_FLOW_TTL_MS),
      },
      OAUTH_FLOW_CAP,
    )
    return {
      authUrl: authorizationUrl(oauth, { redirectUri: callbackUrl, state, challenge: await pkceChallenge(verifier) }),
      cookie: { name: flowCookieName(stateHash), value: binding, path: new URL(callbackUrl).pathname, maxAgeSeconds: OAUTH_FLOW_TTL_MS / 1000, secure },
    }
  }

  /**
   * Takes the flow a callback names and checks it (exists, unused, unexpired, this browser).
   * The flow is consumed even when a check fails: a state never gets a second try.
   */
  async take(state: string, cookie: (name: string) => string | undefined): Promise<OAuthFlowRecord> {
    if (!/^[A-Za-z0-9_-]{16,128}$/.test(state)) throw new OAuthCallbackError('The sign-in link is not valid.')
    const stateHash = await sha256Hex(state)
    const flow = await this.repo.takeFlow(stateHash)
    if (!flow) throw new OAuthCallbackError('This sign-in is unknown or was already used. Please try again.')
    if (flow.expires_at <= isoNow(this.clock)) throw new OAuthCallbackError('OAuth flow expired. Please try again.', flow)
    const binding = cookie(flowCookieName(stateHash))
    if (!binding || !constantTimeEqual(fromHex(await sha256Hex(binding)), fromHex(flow.browser_hash))) {
      throw new OAuthCallbackError('This sign-in was started in another browser or session. Please start it again here.', flow)
    }
    return flow
  }

  exchange(oauth: NonNullable<ExtensionManifest['oauth']>, flow: OAuthFlowRecord, code: string): Promise<TokenSet> {
    return exchangeCode(oauth, { code, verifier: flow.code_verifier, redirectUri: flow.redirect_uri }, this.fetcher, this.tokenTimeoutMs)
  }
}
