import { type Context, Hono } from 'hono'
import { setCookie } from 'hono/cookie'
import type { RouteDeps } from './deps'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { need } from '../lib/errors'
import { jsonBody, optionalJsonBody, params, query } from '../middleware/validate'
import { ActionResponse } from '../protocol/errors'
import {
  ActivateRequest,
  ExtensionInstallRequest,
  ExtensionList,
  ExtensionNameParam,
  ExtensionSetup,
  ExtensionSetupRequest,
  RegistryList,
  RegistryQuery,
  ToolList,
} from '../protocol/extensions'
import type { ActionResult, FlowContext } from '../services/extensions/port'

/**
 * `/api/extensions`: every user manages their own extensions. Members install from the registry
 * only; a custom manifest or URL (admins) can run a command on this host or reach its network.
 * Failed actions are real 4xx/5xx statuses whose body still reads as an `ActionResponse`.
 */
export const extensionRoutes = (d: RouteDeps) => {
  const extensions = () => need(d.services.extensions, 'extensions')

  /** Where OAuth providers send the browser back: configured, else this gateway's own origin and mount path. */
  const flowContext = (c: Context<GatewayEnv>, redirectAfter?: string): FlowContext => {
    const url = new URL(c.req.url)
    const mount = c.req.path.slice(0, Math.max(0, c.req.path.indexOf('/api/extensions')))
    const secure = url.protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https'
    const callbackUrl = d.config.extensions.oauthCallbackUrl ?? `${url.origin}${mount}/oauth/callback`
    return { callbackUrl, secure: secure || callbackUrl.startsWith('https:'), redirectAfter }
  }

  const reply = (c: Context<GatewayEnv>, result: ActionResult) => {
    if (result.cookie) {
      const { name, value, path, maxAgeSeconds, secure } = result.cookie
      setCookie(c, name, value, { path, maxAge: maxAgeSeconds, httpOnly: true, sameSite: 'Lax', secure })
    }
    return c.json(result.body, result.status)
  }

  return new Hono<GatewayEnv>()
    .get('/api/extensions', routeDoc({ summary: "The caller's installed extensions with their state and tools", response: ExtensionList }), async (c) =>
      c.json({ extensions: await extensions().list(c.get('principal').userId) }),
    )
    .get('/api/extensions/tools', routeDoc({ summary: 'Every tool the agent can use for the caller (built-in and from active extensions)', response: ToolList }), async (c) => {
      const tools = await d.tools.list(c.get('principal').userId)
      return c.json({
        tools: tools.map((t) => ({ name: t.name, description: t.description, source: t.source, requires_approval: t.requiresApproval !== false })),
      })
    })
    .get('/api/extensions/registry', routeDoc({ summary: 'The extension catalogue (any query word in name, description or keywords)', response: RegistryList }), query(RegistryQuery), async (c) => {
      const entries = await extensions().registry(c.get('principal').userId, c.req.valid('query').query)
      return c.json({
        entries: entries.map((m) => ({
          name: m.name,
          display_name: m.display_name,
          kind: m.kind,
          description: m.description,
          keywords: m.keywords,
          installed: m.installed,
          ...(m.version ? { version: m.version } : {}),
          transport: m.transport.type,
          install_policy: m.install_policy,
        })),
      })
    })
    .post(
      '/api/extensions/install',
      routeDoc({ summary: 'Install an extension (registry name; admins: a manifest or an MCP server URL). Activates it when it needs no setup', response: ActionResponse, status: 201 }),
      jsonBody(ExtensionInstallRequest),
      async (c) => {
        const principal = c.get('principal')
        return reply(c, await extensions().install(principal.userId, principal.role, c.req.valid('json'), flowContext(c)))
      },
    )
    .post(
      '/api/extensions/:name/activate',
      routeDoc({ summary: 'Start (or restart) an extension: 200 active, 202 waiting for a token or an OAuth sign-in (auth_url), 409 needs setup, 502 failed', response: ActionResponse }),
      params(ExtensionNameParam),
      optionalJsonBody(ActivateRequest),
      async (c) => reply(c, await extensions().activate(c.get('principal').userId, c.req.valid('param').name, flowContext(c, c.req.valid('json').redirect_after))),
    )
    .post('/api/extensions/:name/remove', routeDoc({ summary: 'Stop and uninstall an extension (its pending sign-ins end too)', response: ActionResponse }), params(ExtensionNameParam), async (c) =>
      c.json(await extensions().remove(c.get('principal').userId, c.req.valid('param').name)),
    )
    .get('/api/extensions/:name/setup', routeDoc({ summary: 'The setup wizard: secrets and fields, and which are provided (values never)', response: ExtensionSetup }), params(ExtensionNameParam), async (c) =>
      c.json(await extensions().setupInfo(c.get('principal').userId, c.req.valid('param').name)),
    )
    .post(
      '/api/extensions/:name/setup',
      routeDoc({ summary: 'Save setup (secrets go to the secrets store; empty values keep the stored ones) and activate', response: ActionResponse }),
      params(ExtensionNameParam),
      jsonBody(ExtensionSetupRequest),
      async (c) => {
        const input = c.req.valid('json')
        return reply(c, await extensions().setup(c.get('principal').userId, c.req.valid('param').name, input, flowContext(c, input.redirect_after)))
      },
    )
}
