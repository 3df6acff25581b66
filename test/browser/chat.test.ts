import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { TestServer } from '../support/gateway'
import { TEST_TOKEN } from '../support/gateway'
import { gate, launchBrowser, openPage, type PageWatch, ScriptedAgent, signIn, startAppServer } from './support'

/** The chat page in a real browser against a real server, with an agent scripted by the test. */
describe('web app: chat', () => {
  let browser: Browser
  let server: TestServer
  let agent: ScriptedAgent
  let context: BrowserContext
  let page: Page
  let watch: PageWatch

  beforeAll(async () => {
    ;[browser, { server, agent }] = await Promise.all([launchBrowser(), startAppServer()])
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })
  beforeEach(async () => {
    await context?.close()
    context = await browser.newContext({ viewport: { width: 1200, height: 800 } })
    ;({ page, watch } = await openPage(context, server.url))
    return () => {
      expect(watch.dialogs).toEqual([])
      expect(watch.errors).toEqual([])
      expect(watch.violations).toEqual([])
    }
  })

  const composer = () => page.getByRole('textbox', { name: 'Message' })
  const send = async (text: string) => {
    await composer().fill(text)
    await composer().press('Enter')
  }

  it('signs in with the token, keeps it out of URLs and local storage, and signs out', async () => {
    await page.goto(server.url)
    await page.getByLabel('Token', { exact: true }).fill('wrong-token')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('not accepted')
    const streamUrls: string[] = []
    page.on('request', (r) => r.url().includes('/api/chat/events') && streamUrls.push(r.url()))
    await page.getByLabel('Token', { exact: true }).fill(TEST_TOKEN)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('navigation', { name: 'Main' }).waitFor()
    await expect.poll(() => streamUrls.length).toBeGreaterThan(0)
    expect(streamUrls.every((u) => /[?&]ticket=[0-9a-f]{64}/.test(u) && !u.includes(TEST_TOKEN) && !u.includes('token='))).toBe(true)
    expect(page.url()).not.toContain(TEST_TOKEN)
    expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain(TEST_TOKEN)
    // A reload keeps the tab signed in (sessionStorage), without asking again.
    await page.reload()
    await page.getByRole('navigation', { name: 'Main' }).waitFor()
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByLabel('Token', { exact: true }).waitFor()
    expect(await page.evaluate(() => JSON.stringify(sessionStorage))).not.toContain(TEST_TOKEN)
  })

  it('streams an answer as markdown, with tool cards, highlighted code and the turn cost', async () => {
    agent.then(async (say, m) => {
      await say(m, { type: 'thinking', message: 'Thinking (step 1)...' })
      await say(m, { type: 'tool_started', name: 'list_files', call_id: 'c1' })
      await say(m, { type: 'tool_completed', name: 'list_files', success: true, parameters: '{"path":"."}', call_id: 'c1' })
      await say(m, { type: 'tool_result', name: 'list_files', preview: 'notes.md\ntodo.md', call_id: 'c1' })
      await say(m, { type: 'stream_chunk', content: 'You have **two** files:\n\n' })
      await say(m, { type: 'stream_chunk', content: '```python\nprint("hi")\n```\n' })
      await say(m, { type: 'response', content: 'You have **two** files:\n\n```python\nprint("hi")\n```\n', thread_id: m.threadId })
      await say(m, { type: 'turn_cost', input_tokens: 1200, output_tokens: 34, cost_usd: '0.0021' })
      await say(m, { type: 'suggestions', suggestions: ['Open notes.md'] })
    })
    await signIn(page, server.url)
    await send('what files do I have?')
    await page.locator('.markdown strong', { hasText: 'two' }).waitFor()
    expect(await page.locator('.msg-user').textContent()).toContain('what files do I have?')
    const code = page.locator('pre.code code.language-python')
    await code.waitFor()
    expect(await code.locator('.hljs-built_in, .hljs-string').count()).toBeGreaterThan(0)
    await page.locator('.tool-card summary', { hasText: 'list_files' }).click()
    expect(await page.locator('.tool-card .tool-pre').allTextContents()).toEqual(['{"path":"."}', 'notes.md\ntodo.md'])
    expect(await page.locator('.turn-cost').textContent()).toMatch(/1,?200 in · 34 out · \$0\.0021/)
    await page.getByRole('button', { name: 'Open notes.md' }).click()
    await expect.poll(() => composer().inputValue()).toBe('Open notes.md')
    expect(agent.messages.at(-1)?.content).toBe('what files do I have?')
    // The conversation got a thread; the URL names it (and nothing else).
    await expect.poll(() => page.url()).toMatch(/#\/chat\/[0-9a-f-]{36}$/)
  })

  it('approves a tool call; the card clears in every open tab', async () => {
    const answered: string[] = []
    agent.then(async (say, m) => {
      await say(m, { type: 'stream_chunk', content: 'Let me check. ' })
      const action = await agent.askApproval(m, 'shell', { command: 'ls ~' })
      answered.push(action)
      await say(m, { type: 'tool_started', name: 'shell' })
      await say(m, { type: 'tool_result', name: 'shell', preview: 'Documents' })
      await say(m, { type: 'response', content: 'Let me check. You have a Documents folder.', thread_id: m.threadId })
    })
    await signIn(page, server.url)
    const second = await context.newPage()
    await signIn(second, server.url)
    await send('what is in my home?')
    const card = page.getByRole('region', { name: 'Approval needed for shell' })
    await card.waitFor()
    expect(await card.locator('pre').textContent()).toContain('"command": "ls ~"')
    // The other tab sees the same request on the same thread.
    await second.goto(page.url())
    await second.getByRole('region', { name: 'Approval needed for shell' }).waitFor()
    await card.getByRole('button', { name: 'Approve' }).click()
    await page.getByText('You have a Documents folder.').waitFor()
    expect(answered).toEqual(['approve'])
    await second.locator('.approval-card.resolved').waitFor()
    expect(await second.getByRole('button', { name: 'Approve' }).count()).toBe(0)
    expect(await page.locator('.approval-card.resolved').textContent()).toContain('Approved')
  })

  it('stops a running answer with the stop button', async () => {
    const hold = gate()
    agent.then(async (say, m) => {
      await say(m, { type: 'stream_chunk', content: 'Counting: 1, 2, ' })
      await hold.wait
    })
    await signIn(page, server.url)
    await send('count to a million')
    await page.getByText('Counting: 1, 2,').waitFor()
    await page.getByRole('button', { name: 'Stop the answer' }).click()
    await page.getByText('Stopped', { exact: true }).waitFor()
    expect(await page.getByRole('button', { name: 'Stop the answer' }).count()).toBe(0)
    hold.open()
  })

  it('ends a turn whose instance died (turn_interrupted), expires its approval, and retries the message', async () => {
    agent.then(async (say, m) => {
      // What the surviving instance publishes once the dead one's lease lapsed.
      await say(m, { type: 'stream_chunk', content: 'Once upon ', thread_id: m.threadId })
      const request_id = crypto.randomUUID()
      await say(m, { type: 'approval_needed', request_id, tool_name: 'shell', description: 'Run shell', parameters: '{}', thread_id: m.threadId, allow_always: true })
      await say(m, { type: 'approval_expired', request_id, tool_name: 'shell', turn_id: crypto.randomUUID(), message: 'The gateway running this turn stopped before it finished', thread_id: m.threadId })
      await say(m, { type: 'turn_interrupted', thread_id: m.threadId, turn_id: crypto.randomUUID(), message: 'The gateway running this turn stopped before it finished', user_input: m.content })
    })
    await signIn(page, server.url)
    await send('tell me a story')
    await page.getByText('Interrupted', { exact: true }).waitFor()
    await page.getByText('The gateway running this turn stopped before it finished').waitFor()
    expect(await page.locator('.approval-card.resolved-expired').textContent()).toContain('shell: Expired')
    // Nothing is "thinking" any more, and the stop button is gone.
    expect(await page.getByRole('button', { name: 'Stop the answer' }).count()).toBe(0)
    expect(await page.locator('.thinking').count()).toBe(0)
    await page.getByRole('button', { name: 'Retry' }).click()
    await page.getByText('echo: tell me a story').waitFor()
    expect(agent.messages.slice(-2).map((m) => m.content)).toEqual(['tell me a story', 'tell me a story'])
    expect(agent.messages.at(-1)!.threadId).toBe(agent.messages.at(-2)!.threadId)
    // The retried turn answered: the retry action is only on a last turn that did not.
    expect(await page.getByRole('button', { name: 'Retry' }).count()).toBe(0)
  })

  it('shows an agent error in its turn and keeps the stream connected', async () => {
    agent.then(async (say, m) => {
      await say(m, { type: 'stream_chunk', content: 'Trying… ' })
      await say(m, { type: 'error', message: 'The model provider is not configured' })
    })
    await signIn(page, server.url)
    await send('hello?')
    await page.locator('.turn-error', { hasText: 'The model provider is not configured' }).waitFor()
    // An SSE frame named "error" is data, not a broken connection: the next answer still arrives.
    await send('again')
    await page.getByText('echo: again').waitFor()
    expect(await page.locator('.conn-open').count()).toBeGreaterThan(0)
  })

  it('resumes after a reload mid-answer and shows the full answer exactly once', async () => {
    const first = gate()
    const rest = gate()
    agent.then(async (say, m) => {
      for (const word of ['alpha ', 'bravo ', 'charlie ']) await say(m, { type: 'stream_chunk', content: word })
      first.open()
      await rest.wait
      for (const word of ['delta ', 'echo']) await say(m, { type: 'stream_chunk', content: word })
      await say(m, { type: 'response', content: 'alpha bravo charlie delta echo', thread_id: m.threadId })
    })
    await signIn(page, server.url)
    await send('spell it')
    await first.wait
    await page.getByText('alpha bravo charlie').waitFor()
    const streamUrls: string[] = []
    page.on('request', (r) => r.url().includes('/api/chat/events') && streamUrls.push(r.url()))
    await page.reload()
    // The partial answer is back at once, from the tab's saved state...
    await page.getByText('alpha bravo charlie').waitFor()
    await expect.poll(() => streamUrls.length).toBeGreaterThan(0)
    // ...and the stream resumed where that state ends, with a fresh ticket and no token.
    expect(streamUrls[0]).toMatch(/[?&]last_event_id=\d+/)
    expect(streamUrls[0]).not.toContain('token=')
    await expect.poll(() => page.evaluate(() => document.querySelector('.conn-open') !== null)).toBe(true)
    rest.open()
    await page.locator('.turn:not([aria-busy="true"])').getByText('alpha bravo charlie delta echo').waitFor()
    const text = (await page.locator('.messages').textContent()) ?? ''
    expect(text.match(/alpha/g)).toHaveLength(1)
    expect(text.match(/echo/g)).toHaveLength(1)
    expect(await page.locator('.turn').count()).toBe(1)
    expect(await page.locator('.msg-user').textContent()).toContain('spell it')
  })

  it('sends image attachments with the message', async () => {
    await signIn(page, server.url)
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')
    await page.locator('input[type=file]').setInputFiles({ name: 'dot.png', mimeType: 'image/png', buffer: png })
    await page.getByRole('list', { name: 'Attached images' }).getByRole('img', { name: 'dot.png' }).waitFor()
    await send('what is this?')
    await page.getByText('echo: what is this?').waitFor()
    const message = agent.messages.at(-1)!
    expect(message.images).toEqual([{ media_type: 'image/png', data: png.toString('base64') }])
    expect(await page.locator('.msg-user img').count()).toBe(1)
    expect(await page.getByRole('list', { name: 'Attached images' }).count()).toBe(0)
  })

  it('counts unread answers in other threads on the nav badge', async () => {
    await signIn(page, server.url)
    await send('first thread')
    await page.getByText('echo: first thread').waitFor()
    const firstUrl = page.url()
    await page.getByRole('button', { name: 'New', exact: true }).click()
    // A new conversation (a new thread id, or none yet when history is not enabled).
    await expect.poll(() => page.url()).not.toBe(firstUrl)
    const other = agent.messages.at(-1)!
    await server.gateway.channel.respond({ userId: 'owner', threadId: other.threadId }, 'a late reply')
    await page.getByRole('link', { name: /Chat.*1 unread/ }).waitFor()
  })
})
