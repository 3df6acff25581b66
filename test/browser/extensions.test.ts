import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { TestServer } from '../support/gateway'
import { manifestDir, stdioFixture } from '../extensions/helpers'
import { launchBrowser, openPage, type PageWatch, signIn, startAppServer } from './support'

/**
 * The extensions page against real extensions (the stdio fixture server): activation answers
 * 202 (a token is awaited), 409 (setup missing) and 502 (the server failed to start) each read as
 * a message that says what happened and offers the next step, not a generic error.
 */
describe('web app: extension action outcomes', () => {
  let browser: Browser
  let server: TestServer
  let context: BrowserContext
  let page: Page
  let watch: PageWatch

  const dir = manifestDir([
    stdioFixture('keyed', { secrets: [{ name: 'fixture_token', prompt: 'Fixture token' }], auth: { token_secret: 'fixture_token', instructions: 'Paste your fixture token' } }, { FIXTURE_TOKEN: '${secret:fixture_token}' }),
    stdioFixture('configured', { fields: [{ name: 'workdir', prompt: 'Folder name' }], secrets: [{ name: 'api_secret', prompt: 'API secret' }] }),
    stdioFixture('broken', {}, { FAIL_AT_START: '1' }),
  ])

  beforeAll(async () => {
    ;[browser, { server }] = await Promise.all([launchBrowser(), startAppServer({ config: { extensions: { dir } } })])
    for (const name of ['keyed', 'configured', 'broken']) {
      const res = await fetch(`${server.url}/api/extensions/install`, { method: 'POST', headers: { ...server.auth, 'content-type': 'application/json' }, body: JSON.stringify({ name }) })
      expect(res.status, name).toBe(201)
    }
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
    await page.goto(`${server.url}/#/extensions`)
    return () => {
      expect(watch.dialogs).toEqual([])
      expect(watch.errors).toEqual([])
      expect(watch.violations).toEqual([])
    }
  })

  const activate = (displayName: string) => page.locator('article.tile', { hasText: displayName }).getByRole('button', { name: 'Activate' }).click()
  const toast = (text: string | RegExp) => page.locator('.toast', { hasText: text })

  it('202 awaiting a token: an informational note with the instructions and a way to enter it', async () => {
    await activate('Fixture keyed')
    const note = toast('Paste your fixture token')
    await note.waitFor()
    expect(await note.getAttribute('role')).toBe('status')
    expect(await note.textContent()).toContain('Fixture keyed needs a token before it can start.')
    await note.getByRole('link', { name: 'Enter token' }).click()
    await page.getByRole('dialog', { name: 'Set up keyed' }).waitFor()
  })

  it('409 setup missing: says what is missing and opens the setup, which explains a second 409 too', async () => {
    await activate('Fixture configured')
    const alert = toast(/needs configuration/)
    await alert.waitFor()
    expect(await alert.getAttribute('role')).toBe('alert')
    expect(await alert.textContent()).toMatch(/api_secret/)
    await alert.getByRole('link', { name: 'Set up' }).click()
    const dialog = page.getByRole('dialog', { name: 'Set up configured' })
    await dialog.getByLabel('Folder name').fill('notes')
    await dialog.getByRole('button', { name: 'Save and activate' }).click()
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/api_secret/)
  })

  it('502 the server failed: names the extension and the reason', async () => {
    await activate('Fixture broken')
    const alert = toast('Fixture broken could not start')
    await alert.waitFor()
    expect(await alert.getAttribute('role')).toBe('alert')
    expect(await alert.textContent()).toContain('refusing to start')
    expect(await alert.textContent()).not.toContain('Activation failed')
    // One message for one failure: the page shows it on the tile too, not in more toasts.
    await page.locator('article.tile', { hasText: 'Fixture broken' }).locator('.form-error').waitFor()
    expect(await page.locator('.toast').count()).toBe(1)
  })
})
