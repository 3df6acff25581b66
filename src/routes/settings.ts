import { Hono } from 'hono'
import type { RouteDeps } from './deps'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { need, notFound } from '../lib/errors'
import { jsonBody, params, query } from '../middleware/validate'
import { ImportQuery, PutSettingRequest, Setting, SettingKeyParam, SettingsList, SettingsMap } from '../protocol/settings'

/** `/api/settings`: the caller's settings (contract §12 shapes; errors in the JSON envelope). */
export const settingsRoutes = (d: RouteDeps) => {
  const settings = () => need(d.services.settings, 'settings')
  return new Hono<GatewayEnv>()
    .get('/api/settings', routeDoc({ summary: 'All your settings, by key', response: SettingsList }), async (c) =>
      c.json({ settings: await settings().list(c.get('principal').userId) }),
    )
    .get('/api/settings/export', routeDoc({ summary: 'All your settings as one object', response: SettingsMap }), async (c) =>
      c.json({ settings: await settings().export(c.get('principal').userId) }),
    )
    .post(
      '/api/settings/import',
      routeDoc({ summary: 'Import settings in one transaction: merged, or `?mode=replace` to drop the others', status: 204 }),
      query(ImportQuery),
      jsonBody(SettingsMap),
      async (c) => {
        await settings().import(c.get('principal').userId, c.req.valid('json').settings, c.req.valid('query').mode)
        return c.body(null, 204)
      },
    )
    .get('/api/settings/:key', routeDoc({ summary: 'One setting', response: Setting }), params(SettingKeyParam), async (c) => {
      const setting = await settings().get(c.get('principal').userId, c.req.valid('param').key)
      if (!setting) throw notFound('setting')
      return c.json(setting)
    })
    .put('/api/settings/:key', routeDoc({ summary: 'Set one setting to a JSON value', status: 204 }), params(SettingKeyParam), jsonBody(PutSettingRequest), async (c) => {
      await settings().set(c.get('principal').userId, c.req.valid('param').key, c.req.valid('json').value)
      return c.body(null, 204)
    })
    .delete('/api/settings/:key', routeDoc({ summary: 'Delete one setting (404 when absent)', status: 204 }), params(SettingKeyParam), async (c) => {
      if (!(await settings().delete(c.get('principal').userId, c.req.valid('param').key))) throw notFound('setting')
      return c.body(null, 204)
    })
}
