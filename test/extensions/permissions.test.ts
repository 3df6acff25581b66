import { afterAll, describe, expect, it } from 'vitest'
import { skillMd } from '../support/archives'
import { testGateway } from '../support/gateway'
import { createUser } from '../support/users'
import { manifestDir, stdioFixture } from './helpers'

const CONFIRM = { 'x-confirm-action': 'true' }

/**
 * Who may do what with skills and extensions. Everything is per user except what reaches other
 * users (shared skills) or can run code on the host / reach its network (custom extensions and
 * registry entries marked for admins).
 */
describe('skills and extensions: member / admin matrix', async () => {
  const dir = manifestDir([stdioFixture('plain'), stdioFixture('admin-only', { install_policy: 'admins' })])
  const gw = await testGateway({
    config: { extensions: { dir } },
    // No network in this test: registry searches fail fast and come back as catalog_error.
    runtime: { name: 'node-test', resolveHost: async () => Promise.reject(new Error('offline')), fetchPinned: async () => Promise.reject(new Error('offline')) } as never,
  })
  afterAll(() => gw.close())

  type Step = [label: string, method: string, path: string, body: unknown, member: number, admin: number]
  const steps = (suffix: string): Step[] => [
    ['list skills', 'GET', '/api/skills', undefined, 200, 200],
    ['search skills', 'POST', '/api/skills/search', { query: 'x' }, 200, 200],
    ['install own skill', 'POST', '/api/skills/install', { content: skillMd({ name: `own-${suffix}`, description: 'mine' }) }, 201, 201],
    ['remove own skill', 'DELETE', `/api/skills/own-${suffix}`, undefined, 200, 200],
    ['install shared skill', 'POST', '/api/skills/install', { content: skillMd({ name: `team-${suffix}`, description: 'ours' }), scope: 'shared' }, 403, 201],
    ['remove shared skill', 'DELETE', `/api/skills/team-admin?scope=shared`, undefined, 403, 200],
    ['list extensions', 'GET', '/api/extensions', undefined, 200, 200],
    ['list tools', 'GET', '/api/extensions/tools', undefined, 200, 200],
    ['registry', 'GET', '/api/extensions/registry', undefined, 200, 200],
    ['install from registry', 'POST', '/api/extensions/install', { name: 'plain' }, 201, 201],
    ['activate own', 'POST', '/api/extensions/plain/activate', undefined, 200, 200],
    ['setup own', 'GET', '/api/extensions/plain/setup', undefined, 200, 200],
    ['remove own', 'POST', '/api/extensions/plain/remove', undefined, 200, 200],
    ['install admins-only entry', 'POST', '/api/extensions/install', { name: 'admin-only' }, 403, 201],
    ['install custom manifest', 'POST', '/api/extensions/install', { name: `custom-${suffix}`, manifest: stdioFixture(`custom-${suffix}`) }, 403, 201],
    ['install by URL', 'POST', '/api/extensions/install', { name: `url-${suffix}`, url: 'http://127.0.0.1:9/mcp' }, 403, 201],
  ]

  it('matches the matrix for a member and for an admin', async () => {
    const member = await createUser(gw, { role: 'member' })
    const admin = await createUser(gw, { role: 'admin' })
    for (const [who, token, column] of [['member', member.token, 4], ['admin', admin.token, 5]] as const) {
      const got: string[] = []
      const want: string[] = []
      for (const step of steps(who)) {
        const [label, method, path, body] = step
        const res = await gw.request(path, { method, token, headers: CONFIRM, ...(body !== undefined ? { json: body } : {}) })
        got.push(`${label}: ${res.status}`)
        want.push(`${label}: ${step[column]}`)
      }
      expect(got, who).toEqual(want)
    }
  })
})
