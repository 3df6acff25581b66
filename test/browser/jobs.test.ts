import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { TestServer } from '../support/gateway'
import { injectedMarkup, launchBrowser, openPage, type PageWatch, screenshot, signIn, startAppServer } from './support'

const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url))
/** The scripted stand-in for a coding-agent CLI the jobs tests use (test/fixtures/fake-agent-cli.mjs). */
const FAKE_CLI = {
  name: 'fake',
  description: 'a scripted stand-in for a coding-agent CLI',
  argv: [process.execPath, join(FIXTURES, 'fake-agent-cli.mjs'), '-p', '{prompt}'],
  resume_argv: ['--resume', '{session_id}'],
  read_only_paths: [FIXTURES],
  network: false,
  timeout_secs: 60,
}
const HOSTILE = '<img src=x onerror="window.__pwned=1">'
/** The fake CLI splits its script on spaces: a file name with tabs as the attribute separators. */
const HOSTILE_FILE = '<img\tsrc=x\tonerror=window.__pwned=1>.txt'

/** Jobs in the browser: the list, live events, files, cancel, against real sandbox jobs. */
describe('web app: jobs', () => {
  let browser: Browser
  let server: TestServer
  let context: BrowserContext
  let page: Page
  let watch: PageWatch

  const startJob = async (prompt: string, title?: string) => {
    const res = await fetch(`${server.url}/api/jobs`, {
      method: 'POST',
      headers: { ...server.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt, kind: 'command', ...(title ? { title } : {}) }),
    })
    expect(res.status).toBe(201)
    return (await res.json()) as { id: string }
  }

  beforeAll(async () => {
    ;[browser, { server }] = await Promise.all([
      launchBrowser(),
      startAppServer({ config: { jobs: { isolation: 'process', commands: [FAKE_CLI], killGraceMs: 500 } as never } }),
    ])
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })
  beforeEach(async () => {
    await context?.close()
    context = await browser.newContext({ viewport: { width: 1200, height: 800 } })
    ;({ page, watch } = await openPage(context, server.url))
    await signIn(page, server.url)
    return async () => {
      expect(await injectedMarkup(page)).toEqual([])
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
      expect(watch.dialogs).toEqual([])
      expect(watch.errors).toEqual([])
      expect(watch.violations).toEqual([])
    }
  })

  it("lists a job and shows its events live, then its files", async () => {
    const job = await startJob(`say hello from the job; write out/${HOSTILE_FILE} x; write out/report.md ${HOSTILE}; say all done`, 'Build the report')
    await page.getByRole('link', { name: 'Jobs' }).click()
    await page.getByRole('link', { name: 'Build the report' }).click()
    const events = page.getByRole('region', { name: 'Job events' })
    await events.getByText('all done', { exact: true }).waitFor({ timeout: 15_000 })
    await events.getByText('hello from the job', { exact: true }).waitFor()
    await screenshot(page, 'desktop-light-job-detail')
    await page.getByText('completed', { exact: true }).first().waitFor({ timeout: 15_000 })
    expect(page.url()).toContain(job.id)
    await page.getByRole('tab', { name: 'Files' }).click()
    const files = page.getByRole('region', { name: 'Job files' })
    await files.getByRole('button', { name: 'out' }).click()
    expect(await files.getByRole('button', { name: /onerror=window/ }).textContent()).toBe(HOSTILE_FILE)
    await files.getByRole('button', { name: 'report.md' }).click()
    const viewer = page.getByRole('region', { name: 'out/report.md' })
    expect(await viewer.locator('pre').textContent()).toBe(HOSTILE)
  })

  it('cancels a running job', async () => {
    const job = await startJob('say starting; sleep 30 browser-cancel')
    await page.goto(`${server.url}/#/jobs/${job.id}`)
    await page.getByRole('region', { name: 'Job events' }).getByText('sleeping').waitFor({ timeout: 15_000 })
    await page.getByRole('button', { name: 'Cancel' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel job' }).click()
    await page.getByText('cancelled', { exact: true }).first().waitFor({ timeout: 15_000 })
  })
})
