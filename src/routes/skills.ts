import { Hono, type MiddlewareHandler } from 'hono'
import type { RouteDeps } from './deps'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { actionFailure, forbidden, need } from '../lib/errors'
import { jsonBody, params, query } from '../middleware/validate'
import { SkillActionResult, SkillInstallRequest, SkillList, SkillNameParam, SkillScopeQuery, SkillSearchRequest, SkillSearchResult } from '../protocol/skills'

/**
 * Installing or removing a skill changes what the agent is told to do, so the request must say
 * so explicitly (a header a cross-site form cannot set); checked before anything else.
 */
const confirmed = (what: string): MiddlewareHandler<GatewayEnv> =>
  async function confirmed(c, next) {
    if (c.req.header('x-confirm-action')?.trim().toLowerCase() !== 'true') {
      throw actionFailure(400, 'confirmation_required', `Skill ${what} requires X-Confirm-Action: true header`)
    }
    await next()
  }

/**
 * `/api/skills`: everyone manages their own skills (they only shape their own agent); shared
 * skills reach every user's prompts, so installing or removing one is for admins.
 */
export const skillRoutes = (d: RouteDeps) => {
  const skills = () => need(d.services.skills, 'skills')
  return new Hono<GatewayEnv>()
    .get('/api/skills', routeDoc({ summary: "The caller's skills and the shared ones", response: SkillList }), async (c) => {
      const list = await skills().list(c.get('principal').userId)
      return c.json({ skills: list, count: list.length })
    })
    .post(
      '/api/skills/search',
      routeDoc({ summary: 'Search installed skills and the skill registry (registry errors come back as catalog_error)', response: SkillSearchResult }),
      jsonBody(SkillSearchRequest),
      async (c) => c.json(await skills().search(c.get('principal').userId, c.req.valid('json').query)),
    )
    .post(
      '/api/skills/install',
      routeDoc({ summary: 'Install a skill from pasted SKILL.md content, an https URL (SKILL.md, zip or tar.gz) or the registry; needs X-Confirm-Action: true', response: SkillActionResult, status: 201 }),
      confirmed('install'),
      jsonBody(SkillInstallRequest),
      async (c) => {
        const principal = c.get('principal')
        const input = c.req.valid('json')
        if (input.scope === 'shared' && principal.role !== 'admin') throw forbidden('Only admins can install shared skills')
        const skill = await skills().install(principal.userId, input)
        return c.json({ success: true, message: `Skill '${skill.name}' installed`, skill }, 201)
      },
    )
    .delete(
      '/api/skills/:name',
      routeDoc({ summary: 'Remove a skill (?scope=shared for a shared one, admins only); needs X-Confirm-Action: true', response: SkillActionResult }),
      confirmed('removal'),
      params(SkillNameParam),
      query(SkillScopeQuery),
      async (c) => {
        const principal = c.get('principal')
        const { scope } = c.req.valid('query')
        if (scope === 'shared' && principal.role !== 'admin') throw forbidden('Only admins can remove shared skills')
        const skill = await skills().remove(principal.userId, c.req.valid('param').name, scope)
        return c.json({ success: true, message: `Skill '${skill.name}' removed`, skill })
      },
    )
}
