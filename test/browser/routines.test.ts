import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { signWebhook } from '../../src/services/routines/webhook-signature'
import { mockLlmConfig } from '../support/agent'
import { startTestServer, type TestServer } from '../support/gateway'
import { MockLlm } from '../support/mock-llm'
import { injectedMarkup, launchBrowser, openPage, type PageWatch, screenshot, signIn } from './support'

/** The routines pages against the real routines subsystem and the default agent (mock LLM). */
describe('web app: routines', () => {
  let browser: Browser
  let server: TestServer
  let llm: MockLlm
  let context: BrowserContext
  let page: Page
  let watch: PageWatch

  beforeAll(async () => {
    llm = await MockLlm.start()
    ;[browser, server] = await Promise.all([launchBrowser(), startTestServer({ config: { llm: mockLlmConfig(llm) } })])
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await llm?.close()
  })
  beforeEach(async () => {
    await context?.close()
    context = await browser.newContext({ viewport: { width: 1200, height: 800 } })
    ;({ page, watch } = await openPage(context, server.url))
    await signIn(page, server.url)
    await page.getByRole('link', { name: 'Routines' }).click()
    return async () => {
      expect(await injectedMarkup(page)).toEqual([])
      expect(watch.dialogs).toEqual([])
      expect(watch.errors).toEqual([])
      expect(watch.violations).toEqual([])
    }
  })

  const routines = async () =>
    ((await (await fetch(`${server.url}/api/routines`, { headers: server.auth })).json()) as { routines: Array<Record<string, any>> }).routines

  it('creates a scheduled routine, shows its next run, runs it now and shows the run and its answer', async () => {
    await page.getByRole('link', { name: 'New routine' }).first().click()
    await page.getByLabel('Name').fill('Morning briefing')
    await page.getByLabel('Schedule').fill('0 9 * * 1-5')
    await page.getByLabel('Time zone').fill('Europe/Paris')
    await page.getByLabel('Prompt').fill('Summarise my inbox notes')
    await page.getByRole('button', { name: 'Create routine' }).click()

    await page.getByRole('heading', { name: 'Morning briefing' }).waitFor()
    const [created] = await routines()
    expect(created!.next_fire_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00\.000Z$/)
    const nextRun = page.getByTestId('next-run')
    expect(await nextRun.textContent()).not.toMatch(/^(—|Never|Disabled)$/)
    expect(Date.parse(created!.next_fire_at)).toBeGreaterThan(Date.now())
    await page.getByText(/09:00, Monday through Friday \(Europe\/Paris\)/).first().waitFor()

    llm.text('Two notes: ', 'rent is due.')
    await page.getByRole('button', { name: 'Run now' }).click()
    const runs = page.getByRole('region', { name: 'Runs' })
    // The table refreshes from the `routine_run` events of the stream.
    await runs.getByText('ok', { exact: true }).waitFor({ timeout: 15_000 })
    await runs.getByText('Two notes: rent is due.').waitFor()
    await runs.getByText('manual', { exact: true }).waitFor()
    await screenshot(page, 'desktop-light-routine-detail')

    await page.getByRole('link', { name: 'Open the routine’s thread' }).click()
    await page.locator('.markdown', { hasText: 'Two notes: rent is due.' }).waitFor()
    expect(await page.locator('.msg-user').first().textContent()).toContain('Summarise my inbox notes')

    await page.getByRole('link', { name: 'Routines' }).click()
    const row = page.getByRole('row', { name: /Morning briefing/ })
    await row.waitFor()
    expect(await row.textContent()).toContain('09:00')
  })

  it('shows a webhook secret once, and a signed delivery runs the routine', async () => {
    await page.getByRole('link', { name: 'New routine' }).first().click()
    await page.getByLabel('Name').fill('Deploy hook')
    await page.getByLabel('Trigger').selectOption('webhook')
    await page.getByLabel('Webhook path').fill('deploy-hook')
    await page.getByLabel('Prompt').fill('Tell me about this deploy')
    await page.getByRole('button', { name: 'Create routine' }).click()
    const secret = (await page.getByTestId('webhook-secret').textContent())!
    expect(secret).toMatch(/^[0-9a-f]{64}$/)
    await page.getByText('POST /api/webhooks/deploy-hook').waitFor()

    llm.text('Deploy 1.2.3 went out.')
    const body = '{"version":"1.2.3"}'
    const timestamp = String(Math.floor(Date.now() / 1000))
    const res = await fetch(`${server.url}/api/webhooks/deploy-hook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-webhook-timestamp': timestamp, 'x-webhook-signature': `sha256=${await signWebhook(secret, timestamp, body)}` },
      body,
    })
    expect(res.status).toBe(200)
    const runs = page.getByRole('region', { name: 'Runs' })
    await runs.getByText('Deploy 1.2.3 went out.').waitFor({ timeout: 15_000 })
    await runs.getByText('webhook', { exact: true }).waitFor()

    // Gone after a reload: the server never sends it again.
    await page.reload()
    await page.getByRole('heading', { name: 'Deploy hook' }).waitFor()
    expect(await page.getByTestId('webhook-secret').count()).toBe(0)
    expect(await page.content()).not.toContain(secret)
  })
})
