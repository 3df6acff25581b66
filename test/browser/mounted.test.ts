import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext } from 'playwright-core'
import type { TestServer } from '../support/gateway'
import { launchBrowser, openPage, signIn, startAppServer } from './support'

const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url))
/** The scripted coding-agent CLI of the jobs tests (test/fixtures/fake-agent-cli.mjs). */
const FAKE_CLI = {
  name: 'fake',
  argv: [process.execPath, join(FIXTURES, 'fake-agent-cli.mjs'), '-p', '{prompt}'],
  read_only_paths: [FIXTURES],
  network: false,
}

/** The web app served under a mount prefix (`basePath`): every request it makes stays under it. */
describe('web app under a mount prefix', () => {
  let browser: Browser
  let server: TestServer
  let context: BrowserContext

  beforeAll(async () => {
    ;[browser, { server }] = await Promise.all([launchBrowser(), startAppServer({ basePath: '/tools/agent', config: { jobs: { isolation: 'process', commands: [FAKE_CLI] } as never } })])
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

  it("streams a job's events from its signed link and opens its workspace under the prefix", async () => {
    const mount = `${server.url}/tools/agent`
    const res = await fetch(`${mount}/api/jobs`, {
      method: 'POST',
      headers: { ...server.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'say hello under a prefix; write notes.txt hi', kind: 'command', title: 'Prefixed job' }),
    })
    expect(res.status).toBe(201)
    const job = (await res.json()) as { id: string }
    const { page, watch } = await openPage(context, server.url)
    const streams: string[] = []
    page.on('request', (r) => /\/jobs\/[^/]+\/events\?/.test(r.url()) && streams.push(r.url()))
    await signIn(page, mount)
    await page.goto(`${mount}#/jobs/${job.id}`)
    await page.getByRole('region', { name: 'Job events' }).getByText('hello under a prefix', { exact: true }).waitFor({ timeout: 15_000 })
    expect(streams.length).toBeGreaterThan(0)
    expect(streams.filter((u) => !u.startsWith(`${mount}/api/jobs/${job.id}/events?`))).toEqual([])

    await page.getByRole('tab', { name: 'Files' }).click()
    const href = await page.getByRole('link', { name: 'Open the workspace in a new tab' }).getAttribute('href')
    expect(href!.startsWith(`${mount}/projects/${job.id}.`)).toBe(true)
    const listing = await fetch(href!)
    expect(listing.status).toBe(200)
    expect(await listing.text()).toContain('notes.txt')
    expect(watch.errors).toEqual([])
  })
})
