import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { TestServer } from '../support/gateway'
import { makePdf } from '../support/upload-fixtures'
import { launchBrowser, openPage, type PageWatch, signIn, startAppServer } from './support'

/** Drops files on an element the way a user's drag from the desktop does (a DataTransfer of Files). */
async function dropFiles(page: Page, selector: string, files: Array<{ name: string; type: string; base64: string }>): Promise<void> {
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer()
    for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: f.type }))
    return dt
  }, files)
  await page.dispatchEvent(selector, 'dragover', { dataTransfer })
  await page.dispatchEvent(selector, 'drop', { dataTransfer })
}

/** Uploads in the web app, against the real gateway (sniffing, extraction, memory search). */
describe('web app: uploads', () => {
  let browser: Browser
  let server: TestServer
  let context: BrowserContext
  let page: Page
  let watch: PageWatch

  beforeAll(async () => {
    ;[browser, { server }] = await Promise.all([launchBrowser(), startAppServer()])
    context = await browser.newContext({ viewport: { width: 1200, height: 800 } })
    ;({ page, watch } = await openPage(context, server.url))
    await signIn(page, server.url)
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('a PDF dropped on the memory page is read into memory and found by search', async () => {
    await page.getByRole('link', { name: 'Memory' }).click()
    const pdf = makePdf(['Field notes on the pangolin survey', 'Seven pangolins were counted in the reserve.'])
    await dropFiles(page, '.memory-page', [{ name: 'survey.pdf', type: 'application/pdf', base64: pdf.toString('base64') }])
    const uploaded = page.getByRole('list', { name: 'Uploaded files' })
    await uploaded.getByRole('button', { name: 'uploads/survey.pdf.md' }).waitFor()
    await page.getByRole('list', { name: 'Workspace files' }).getByRole('button', { name: 'uploads' }).waitFor()

    await page.getByLabel('Search memory').fill('pangolin survey')
    await page.getByRole('button', { name: 'Search' }).click()
    const results = page.getByRole('region', { name: 'Search results' })
    await results.getByText('uploads/survey.pdf.md').waitFor()
    await expect(results.locator('.search-snippet').first().textContent()).resolves.toContain('pangolin')

    // A renamed executable is refused with the gateway's message, and nothing is added.
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120)])
    await dropFiles(page, '.memory-page', [{ name: 'totally-a.pdf', type: 'application/pdf', base64: elf.toString('base64') }])
    await page.getByRole('alert').filter({ hasText: 'application/x-elf' }).waitFor()
    expect(watch.errors).toEqual([])
  })

  it('files attached in the composer show as chips and reach the agent', async () => {
    await page.getByRole('link', { name: 'Chat' }).first().click()
    await page.locator('.composer input[type=file]').setInputFiles([{ name: 'agenda.md', mimeType: 'text/markdown', buffer: Buffer.from('# Agenda\n\n1. budget\n') }])
    const chips = page.locator('.composer').getByRole('list', { name: 'Attached files' })
    await chips.getByText('agenda.md').waitFor()
    await page.getByRole('textbox', { name: 'Message' }).fill('What is on the agenda?')
    await page.getByRole('button', { name: 'Send' }).click()
    // The sent message shows the chip, not the document's text.
    const sent = page.locator('.msg-user').last()
    await sent.getByRole('list', { name: 'Attached files' }).getByText('agenda.md').waitFor()
    await sent.getByText('What is on the agenda?').waitFor()
    expect(await sent.textContent()).not.toContain('1. budget')
    expect(await chips.count()).toBe(0)
    expect(watch.errors).toEqual([])
  })
})
