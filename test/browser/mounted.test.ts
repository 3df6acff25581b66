import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext } from 'playwright-core'
import type { TestServer } from '../support/gateway'
import { launchBrowser, openPage, signIn, startAppServer } from './support'

/** The web app served under a mount prefix (`basePath`): every request it makes stays under it. */
describe('web app under a mount prefix', () => {
  let browser: Browser
  let server: TestServer
  let context: BrowserContext

  beforeAll(async () => {
    ;[browser, { server }] = await Promise.all([launchBrowser(), startAppServer({ basePath: '/tools/agent' })])
    context = await browser.newContext({ viewport: { width: 1200, height: 800 } })
  })
  afterAll(async () => {
    await context?.close()
    await browser?.close()
    await server?.close()
  })

  it('signs in, streams an answer and loads the threads, all through the prefix', async () => {
    const mount = `${server.url}/tools/agent`
    // Nothing is served outside the prefix: a request that escaped it would fail.
    expect((await fetch(`${server.url}/api/health`)).status).toBe(404)
    const { page, watch } = await openPage(context, server.url)
    const requests: string[] = []
    page.on('request', (r) => requests.push(r.url()))
    await signIn(page, mount)
    const composer = page.getByRole('textbox', { name: 'Message' })
    await composer.fill('hello under a prefix')
    await composer.press('Enter')
    await page.getByText('echo: hello under a prefix').waitFor()
    // A reload loads the thread list and the history from the API again.
    await page.reload()
    await page.getByRole('navigation', { name: 'Main' }).waitFor()
    await page.getByRole('complementary', { name: 'Conversations' }).locator('a.thread').first().waitFor()

    const api = requests.filter((u) => new URL(u).pathname.includes('/api/'))
    expect(api.some((u) => u.includes('/tools/agent/api/chat/threads'))).toBe(true)
    expect(api.some((u) => u.includes('/tools/agent/api/chat/history?'))).toBe(true)
    expect(api.some((u) => u.includes('/tools/agent/api/chat/events?'))).toBe(true)
    expect(requests.filter((u) => u.startsWith(server.url) && !u.startsWith(mount))).toEqual([])
    expect(watch.errors).toEqual([])
    expect(watch.violations).toEqual([])
  })
})
