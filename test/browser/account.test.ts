import { getLogger } from '@logtape/logtape'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { configureLogging, GatewayLogging } from '../../src/logging/gateway-logging'
import type { TestServer } from '../support/gateway'
import { injectedMarkup, launchBrowser, openPage, type PageWatch, signIn, startAppServer } from './support'

const HOSTILE = '<img src=x onerror="window.__pwned=1">'

/** Account and admin pages against the real users subsystem. */
describe('web app: tokens, settings, users, logs', () => {
  let browser: Browser
  let server: TestServer
  let context: BrowserContext
  let page: Page
  let watch: PageWatch
  const logging = new GatewayLogging({ level: 'info' })

  beforeAll(async () => {
    await configureLogging(logging)
    ;[browser, { server }] = await Promise.all([launchBrowser(), startAppServer({ logging })])
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })
  beforeEach(async () => {
    await context?.close()
    context = await browser.newContext({ viewport: { width: 1200, height: 800 } })
    ;({ page, watch } = await openPage(context, server.url))
    return async () => {
      expect(await injectedMarkup(page)).toEqual([])
      expect(watch.dialogs).toEqual([])
      expect(watch.errors).toEqual([])
      expect(watch.violations).toEqual([])
    }
  })

  const api = async (path: string, init: { method?: string; json?: unknown; token?: string } = {}) => {
    const res = await fetch(`${server.url}${path}`, {
      method: init.method ?? 'GET',
      headers: { ...server.auth, ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.json ? { 'content-type': 'application/json' } : {}) },
      ...(init.json ? { body: JSON.stringify(init.json) } : {}),
    })
    return (await res.json()) as Record<string, any>
  }

  it('creates an API token, shows it once, and revokes it', async () => {
    await signIn(page, server.url)
    await page.getByRole('link', { name: 'API tokens' }).click()
    await page.getByRole('button', { name: 'New token' }).click()
    await page.getByLabel('Name').fill('laptop script')
    await page.getByRole('button', { name: 'Create' }).click()
    const token = (await page.locator('[data-secret]').textContent())!
    expect(token).toMatch(/^[0-9a-f]{64}$/)
    // The token works at once.
    expect((await api('/api/auth/whoami', { token })).user_id).toBe('owner')
    await page.getByRole('button', { name: 'Done' }).click()
    const row = page.getByRole('row', { name: /laptop script/ })
    await row.waitFor()
    expect(await row.textContent()).toContain(token.slice(0, 8))
    expect(await page.locator('main').textContent()).not.toContain(token)
    await row.getByRole('button', { name: 'Revoke' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click()
    await row.getByText('revoked').waitFor()
    expect((await fetch(`${server.url}/api/auth/whoami`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401)
  })

  it('adds, edits and deletes a setting', async () => {
    await signIn(page, server.url)
    await page.goto(`${server.url}/#/settings`)
    await page.getByRole('button', { name: 'Add' }).click()
    await page.getByLabel('Key').fill('editor.tabSize')
    await page.getByLabel('Value').fill('4')
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click()
    await page.getByRole('row', { name: /editor\.tabSize/ }).waitFor()
    expect((await api('/api/settings/editor.tabSize')).value).toBe(4)
    await page.getByRole('button', { name: 'Edit editor.tabSize' }).click()
    await page.getByLabel('Value').fill('{"size": 2}')
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click()
    await expect.poll(async () => (await api('/api/settings/editor.tabSize')).value).toEqual({ size: 2 })
    await page.getByRole('button', { name: 'Delete editor.tabSize' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click()
    await expect.poll(() => page.getByRole('row', { name: /editor\.tabSize/ }).count()).toBe(0)
  })

  it('lets an admin add and suspend a user; names are shown as text', async () => {
    await signIn(page, server.url)
    await page.getByRole('link', { name: 'Users' }).click()
    await page.getByRole('button', { name: 'Add user' }).click()
    await page.getByLabel('Display name').fill(HOSTILE)
    await page.getByRole('button', { name: 'Create' }).click()
    const token = (await page.locator('[data-secret]').textContent())!
    await page.getByRole('button', { name: 'Done' }).click()
    const row = page.getByRole('row', { name: /onerror/ })
    await row.waitFor()
    expect(await row.locator('.list-title').textContent()).toBe(HOSTILE)
    await row.getByRole('button', { name: 'Suspend' }).click()
    await row.getByText('suspended').waitFor()
    expect((await fetch(`${server.url}/api/auth/whoami`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401)
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
  })

  it('shows members no admin pages, and says so if they go there', async () => {
    const member = await api('/api/admin/users', { method: 'POST', json: { display_name: 'Mia' } })
    await signIn(page, server.url, member.token)
    expect(await page.getByRole('navigation', { name: 'Main' }).textContent()).not.toMatch(/Users|Secrets|Logs/)
    await page.goto(`${server.url}/#/admin/users`)
    await page.getByText('Not allowed').waitFor()
  })

  it('streams live logs to an admin and changes the level', async () => {
    await signIn(page, server.url)
    await page.getByRole('link', { name: 'Logs' }).click()
    await page.getByText('connected').waitFor()
    getLogger(['gateway', 'browser-test']).warn('hello from the test')
    await page.locator('.log-line', { hasText: 'hello from the test' }).waitFor()
    await page.getByLabel('Server level').selectOption('debug')
    await expect.poll(async () => (await api('/api/logs/level')).level).toBe('debug')
    await page.getByLabel('Server level').selectOption('info')
    await expect.poll(async () => (await api('/api/logs/level')).level).toBe('info')
  })
})
