import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { TestServer } from '../support/gateway'
import { injectedMarkup, launchBrowser, openPage, type PageWatch, type ScriptedAgent, screenshot, signIn, startAppServer } from './support'

/** Every page of the app, in both themes, on a desktop and a phone: no CSP violation, no error. */
const ALL_ROUTES = ['chat', 'memory', 'jobs', 'routines', 'routines/new', 'skills', 'extensions', 'extensions?tab=registry', 'logs', 'status', 'settings', 'tokens', 'admin/users', 'admin/usage', 'admin/secrets', 'admin/pairing']
const MAIN_ROUTES = ['chat', 'memory', 'jobs', 'routines', 'settings', 'status']

const ANSWER = [
  'Here is a summary of **your week**:',
  '',
  '1. Finished the *gateway* design review',
  '2. Three notes added to `notes/ideas.md`',
  '',
  '```ts',
  "const greet = (name: string) => `hello ${name}`",
  '```',
  '',
  '> Tip: ask me to turn this into a routine.',
].join('\n')

describe('web app: every page, both themes, desktop and phone', () => {
  let browser: Browser
  let server: TestServer
  let agent: ScriptedAgent

  beforeAll(async () => {
    ;[browser, { server, agent }] = await Promise.all([launchBrowser(), startAppServer()])
    // Some data, so the pages show what they look like in use.
    const call = (path: string, method: string, json: unknown) =>
      fetch(`${server.url}${path}`, { method, headers: { ...server.auth, 'content-type': 'application/json' }, body: JSON.stringify(json) })
    await call('/api/admin/users', 'POST', { display_name: 'Ann Example', email: 'ann@example.com' })
    await call('/api/admin/users', 'POST', { display_name: 'Bo Admin', role: 'admin' })
    await call('/api/tokens', 'POST', { name: 'laptop script', expires_in_days: 90 })
    await call('/api/settings/editor.theme', 'PUT', { value: 'solarized' })
    await call('/api/settings/agent.max_steps', 'PUT', { value: 12 })
    await call('/api/admin/users/owner/secrets/brave_api_key', 'PUT', { value: 'not-a-real-key' })
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  const settle = (page: Page) =>
    page.waitForFunction(() => !document.querySelector('main .loading-block'), undefined, { timeout: 5_000 }).catch(() => undefined)

  async function conversation(page: Page): Promise<void> {
    agent.then(async (say, m) => {
      await say(m, { type: 'tool_started', name: 'memory_search', call_id: 's1' })
      await say(m, { type: 'tool_completed', name: 'memory_search', success: true, parameters: '{"query":"this week"}', call_id: 's1' })
      await say(m, { type: 'tool_result', name: 'memory_search', preview: '3 notes matched', call_id: 's1' })
      await say(m, { type: 'response', content: ANSWER, thread_id: m.threadId })
      await say(m, { type: 'turn_cost', input_tokens: 2140, output_tokens: 96, cost_usd: '0.0034', model: 'mock-model' })
      await say(m, { type: 'suggestions', suggestions: ['Make it a routine', 'Open my notes'] })
    })
    const box = page.getByRole('textbox', { name: 'Message' })
    await box.fill('Summarise my week')
    await box.press('Enter')
    await page.locator('.turn-cost').waitFor()
  }

  async function visit(context: BrowserContext, name: string, routes: string[]): Promise<PageWatch> {
    const { page, watch } = await openPage(context, server.url)
    await page.goto(server.url)
    await page.getByLabel('Token', { exact: true }).waitFor()
    await screenshot(page, `${name}-signin`)
    await signIn(page, server.url)
    for (const route of routes) {
      await page.goto(`${server.url}/#/${route}`)
      await settle(page)
      if (route === 'chat') await conversation(page)
      expect(await injectedMarkup(page), route).toEqual([])
      await screenshot(page, `${name}-${route.replace(/[/?=]/g, '-')}`)
    }
    return watch
  }

  for (const [device, scheme] of [['desktop', 'light'], ['desktop', 'dark'], ['phone', 'light'], ['phone', 'dark']] as const) {
    it(`${device}, ${scheme}`, async () => {
      const context = await browser.newContext(
        device === 'phone'
          ? { colorScheme: scheme, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
          : { colorScheme: scheme, viewport: { width: 1280, height: 800 } },
      )
      const watch = await visit(context, `${device}-${scheme}`, device === 'desktop' && scheme === 'light' ? ALL_ROUTES : MAIN_ROUTES)
      await context.close()
      expect(watch.violations).toEqual([])
      expect(watch.errors).toEqual([])
      expect(watch.dialogs).toEqual([])
      expect(watch.offOrigin).toEqual([])
    })
  }

  it('opens the navigation drawer on a phone and closes it with Escape', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    const { page } = await openPage(context, server.url)
    await signIn(page, server.url)
    const menu = page.getByRole('button', { name: 'Open navigation' })
    // Closed, the drawer is off screen and out of the tab order.
    expect(await page.locator('#sidebar').evaluate((el) => (el as HTMLElement).inert)).toBe(true)
    await menu.click()
    expect(await page.locator('#sidebar').evaluate((el) => (el as HTMLElement).inert)).toBe(false)
    await expect.poll(() => menu.getAttribute('aria-expanded')).toBe('true')
    await page.waitForTimeout(300) // the drawer slides in
    await screenshot(page, 'phone-light-navigation')
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Memory' }).focus()
    await page.keyboard.press('Escape')
    await expect.poll(() => menu.getAttribute('aria-expanded')).toBe('false')
    expect(await page.locator('#sidebar').evaluate((el) => (el as HTMLElement).inert)).toBe(true)
    await context.close()
  })

  describe('framing', () => {
    let framer: Server
    beforeAll(async () => {
      framer = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' })
        res.end(`<!doctype html><iframe id="f" src="${server.url}/"></iframe>`)
      })
      await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', resolve))
    })
    afterAll(() => new Promise<void>((resolve) => framer.close(() => resolve())))

    it('refuses to render inside another origin’s frame', async () => {
      const context = await browser.newContext()
      const page = await context.newPage()
      const blocked: string[] = []
      page.on('console', (m) => blocked.push(m.text()))
      await page.goto(`http://localhost:${(framer.address() as AddressInfo).port}/`)
      await page.waitForTimeout(500)
      const frame = page.frames().find((f) => f !== page.mainFrame())
      const rendered = await frame?.evaluate(() => document.getElementById('app') !== null).catch(() => false)
      expect(rendered ?? false).toBe(false)
      expect(blocked.join('\n')).toMatch(/frame-ancestors|X-Frame-Options/)
      await context.close()
    })
  })
})
