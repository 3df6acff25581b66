import type { ActionResponse } from '../../protocol/errors'
import type { ExtensionInfo, ExtensionInstallRequest, ExtensionManifest, ExtensionSetup, ExtensionSetupRequest } from '../../protocol/extensions'
import type { Role } from '../../protocol/users'

/** Extension credential flows started from chat (`auth_required` -> a pasted token, or cancel). */
export interface ExtensionAuth {
  submitToken(userId: string, extensionName: string, token: string): Promise<ActionResponse>
  cancelAuth(userId: string, extensionName: string): Promise<void>
}

/** Where an action came from, for starting OAuth sign-ins. */
export interface FlowContext {
  /** The absolute `/oauth/callback` URL as the browser reaches it; without it OAuth cannot start. */
  callbackUrl?: string | undefined
  secure?: boolean
  /** A same-origin path the OAuth result page links back to. */
  redirectAfter?: string | undefined
}

/** The cookie that binds an OAuth sign-in to the browser that started it. */
export interface FlowCookie {
  name: string
  value: string
  path: string
  maxAgeSeconds: number
  secure: boolean
}

/** An action's outcome: a 2xx status, an `ActionResponse`, and maybe a cookie binding an OAuth flow. */
export interface ActionResult {
  status: 200 | 201 | 202
  body: ActionResponse
  cookie?: FlowCookie | undefined
}

/** What `/oauth/callback` shows, and the flow's cookie to clear. */
export interface OAuthOutcome {
  ok: boolean
  title: string
  message: string
  redirectAfter: string
  /** The name of the cookie the sign-in set, when the callback named one. */
  cookie?: string | undefined
}

/**
 * Each user's MCP extensions behind `/api/extensions`, chat auth and `/oauth/callback`. Failed
 * actions throw `actionFailure(...)`: a real status whose body still reads as an
 * `ActionResponse`. Default: `ExtensionsService`.
 */
export interface ExtensionsPort extends ExtensionAuth {
  list(userId: string): Promise<ExtensionInfo[]>
  /** The catalogue, filtered by any query word, with the caller's `installed` flags. */
  registry(userId: string, query: string | undefined): Promise<Array<ExtensionManifest & { installed: boolean }>>
  install(userId: string, role: Role, request: ExtensionInstallRequest, ctx: FlowContext): Promise<ActionResult>
  activate(userId: string, name: string, ctx: FlowContext): Promise<ActionResult>
  remove(userId: string, name: string): Promise<ActionResponse>
  setupInfo(userId: string, name: string): Promise<ExtensionSetup>
  setup(userId: string, name: string, request: ExtensionSetupRequest, ctx: FlowContext): Promise<ActionResult>
  /** Finishes a sign-in the provider redirected back; `cookie` reads the browser's cookies. */
  completeOAuth(input: { state?: string | undefined; code?: string | undefined; error?: string | undefined }, cookie: (name: string) => string | undefined): Promise<OAuthOutcome>
}
