import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { mockLlmConfig } from '../support/agent'
import type { TestServer } from '../support/gateway'
import { startTestServer } from '../support/gateway'
import { MockLlm } from '../support/mock-llm'
import { injectedMarkup, launchBrowser, openPage, type PageWatch, signIn } from './support'

/** The chat page against the default agent, its LLM a scripted mock server on loopback. */
describe('web app: chat with the default agent', () => {
  let browser: Browser
  let server: TestServer
  let llm: MockLlm
  let context: BrowserContext
  let page: Page
  let watch: PageWatch

  beforeAll(async () => {
    llm = await MockLlm.start()
    ;[browser, server] = await Promise.all([launchBrowser(), startTestServer({ config: { llm: mockLlmConfig(llm, { prices: { 'mock-model': { input: 1, output: 2 } } }) } })])
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
    return async () => {
      expect(await injectedMarkup(page)).toEqual([])
      expect(watch.dialogs).toEqual([])
      expect(watch.errors).toEqual([])
      expect(watch.violations).toEqual([])
    }
  })

  const send = async (text: string) => {
    const box = page.getByRole('textbox', { name: 'Message' })
    await box.fill(text)
    await box.press('Enter')
  }
  const api = async (path: string, body?: unknown) =>
    (await (await fetch(`${server.url}${path}`, { method: body ? 'POST' : 'GET', headers: { ...server.auth, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) })).json()) as Record<string, any>

  it('answers "What is 2+2?", lists the thread by its first message, and shows it once after a reload', async () => {
    llm.reply({ kind: 'text', chunks: ['2 + 2', ' = ', '**4**'], usage: { prompt_tokens: 20, completion_tokens: 5 } })
    await signIn(page, server.url)
    await send('What is 2+2?')
    await page.locator('.markdown strong', { hasText: '4' }).waitFor()
    await page.locator('.turn-cost', { hasText: '20 in · 5 out' }).waitFor()
    await page.getByRole('complementary', { name: 'Conversations' }).getByRole('link', { name: /What is 2\+2\?/ }).waitFor()
    await page.reload()
    await page.locator('.markdown strong', { hasText: '4' }).waitFor()
    expect(await page.locator('.turn').count()).toBe(1)
    expect(await page.locator('.msg-user').textContent()).toContain('What is 2+2?')
  })

  it('asks before fetching a URL; approving lets the turn go on', async () => {
    llm.toolCall('http_fetch', { url: 'https://example.invalid/' }).text('I could not reach it.')
    await signIn(page, server.url)
    await send('fetch example.invalid')
    const card = page.getByRole('region', { name: 'Approval needed for http_fetch' })
    await card.waitFor()
    await card.getByRole('button', { name: 'Approve' }).click()
    await page.getByText('I could not reach it.').waitFor()
    await page.locator('.approval-card.resolved').waitFor()
    await page.locator('.tool-card', { hasText: 'http_fetch' }).waitFor()
  })

  it('resumes a streaming answer after a reload, against stored history, exactly once', async () => {
    const words = Array.from({ length: 30 }, (_, i) => `w${i} `)
    llm.reply({ kind: 'text', chunks: words, delayMs: 60 })
    await signIn(page, server.url)
    await send('count slowly')
    await page.getByText('w5', { exact: false }).waitFor()
    await page.reload()
    await page.locator('.turn:not([aria-busy="true"])').getByText('w29').waitFor({ timeout: 15_000 })
    const text = (await page.locator('.messages').textContent()) ?? ''
    for (const w of ['w0 ', 'w5 ', 'w17 ', 'w29']) expect(text.split(w).length - 1, w).toBe(1)
    expect(await page.locator('.turn').count()).toBe(1)
  })

  it('joins a turn already streaming when a fresh tab opens its thread', async () => {
    const words = Array.from({ length: 30 }, (_, i) => `v${i} `)
    llm.reply({ kind: 'text', chunks: words, delayMs: 60 })
    const accepted = await api('/api/chat/send', { content: 'stream for another tab' })
    await expect.poll(async () => (await api(`/api/chat/history?thread_id=${accepted.thread_id}`)).in_progress?.response_so_far ?? '').toContain('v3 ')
    await signIn(page, server.url)
    await page.goto(`${server.url}/#/chat/${accepted.thread_id}`)
    await page.locator('.turn:not([aria-busy="true"])').getByText('v29').waitFor({ timeout: 15_000 })
    const text = (await page.locator('.messages').textContent()) ?? ''
    for (const w of ['v0 ', 'v3 ', 'v12 ', 'v29']) expect(text.split(w).length - 1, w).toBe(1)
    expect(await page.locator('.turn').count()).toBe(1)
    expect(await page.locator('.msg-user').textContent()).toContain('stream for another tab')
  })

  /** A thread of `count` answered messages `<label> 0` .. `<label> count-1`. */
  async function answeredThread(label: string, count: number): Promise<string> {
    const first = await api('/api/chat/send', { content: `${label} 0` })
    const threadId = first.thread_id as string
    for (let i = 1; i < count; i++) {
      await new Promise((r) => setTimeout(r, 30))
      await api('/api/chat/send', { content: `${label} ${i}`, thread_id: threadId })
    }
    await expect.poll(async () => (await api(`/api/chat/history?thread_id=${threadId}&limit=50`)).turns.filter((t: any) => t.state === 'completed').length, { timeout: 15_000 }).toBe(count)
    return threadId
  }

  it('pages older history in as the reader scrolls up', async () => {
    const threadId = await answeredThread('message', 22)
    await signIn(page, server.url)
    await page.goto(`${server.url}/#/chat/${threadId}`)
    const messages = page.locator('.messages')
    await messages.getByText('message 21').waitFor()
    expect(await messages.getByText('message 0', { exact: true }).count()).toBe(0)
    await messages.evaluate((el) => el.scrollTo(0, 0))
    await messages.getByText('message 0', { exact: true }).waitFor()
    expect(await page.locator('.turn').count()).toBe(22)
  })

  it('shows a hostile first message as the thread title, as text', async () => {
    await signIn(page, server.url)
    await send('<img src=x onerror="window.__pwned=1"> hi')
    const link = page.getByRole('complementary', { name: 'Conversations' }).getByRole('link', { name: /onerror/ })
    await link.waitFor()
    expect(await link.locator('.thread-title').textContent()).toBe('<img src=x onerror="window.__pwned=1"> hi')
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
  })

  it('counts waiting approvals of every thread in the nav, answers one from the inbox, and clears it everywhere', async () => {
    const baseline = (await api('/api/approvals')).pending_count as number
    await signIn(page, server.url)
    llm.toolCall('http_fetch', { url: 'https://example.invalid/inbox-a' })
    await send('fetch inbox a')
    const card = page.getByRole('region', { name: 'Approval needed for http_fetch' })
    await card.waitFor()
    await expect.poll(() => card.getByText(/^Expires .+ if not answered$/).count()).toBe(1)
    // Another device starts a second one, in another thread: the badge counts it live.
    llm.toolCall('http_fetch', { url: 'https://example.invalid/inbox-b' })
    const other = await api('/api/chat/send', { content: 'fetch inbox b' })
    const badge = page.locator('a.nav-link[href="#/approvals"] .count')
    await expect.poll(() => badge.textContent()).toBe(String(baseline + 2))

    await page.locator('a.nav-link[href="#/approvals"]').click()
    const items = page.locator('.approval-item')
    await expect.poll(() => items.count()).toBe(baseline + 2)
    const itemA = page.getByRole('listitem', { name: 'Approval for http_fetch' }).filter({ hasText: 'inbox-a' })
    expect(await itemA.locator('.approval-thread').textContent()).toBe('fetch inbox a')
    llm.text('Could not reach inbox a.')
    await itemA.getByRole('button', { name: 'Approve' }).click()
    await expect.poll(() => badge.textContent()).toBe(String(baseline + 1))
    await expect.poll(() => items.count()).toBe(baseline + 1)

    // Denied through the API (another device): it leaves the inbox and the badge without a reload.
    const pending = (await api('/api/approvals')).approvals.find((a: { thread_id: string }) => a.thread_id === other.thread_id)
    llm.text('Not fetched.')
    await api('/api/chat/approval', { request_id: pending.request_id, action: 'deny' })
    await expect.poll(() => items.count()).toBe(baseline)
    if (baseline === 0) await badge.waitFor({ state: 'detached' })
    await page.getByRole('tab', { name: 'Answered' }).click()
    await page.getByRole('listitem', { name: 'Approval for http_fetch' }).filter({ hasText: 'inbox-b' }).getByText('Denied').waitFor()

    // The thread answered from the inbox went on, and asks nothing any more.
    await page.goBack()
    await page.goBack()
    await page.getByText('Could not reach inbox a.').waitFor()
    expect(await page.getByRole('region', { name: 'Approval needed for http_fetch' }).count()).toBe(0)
  })
})
