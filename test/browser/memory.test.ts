import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { TestServer } from '../support/gateway'
import { injectedMarkup, launchBrowser, openPage, type PageWatch, signIn, startAppServer } from './support'

const HOSTILE = '<img src=x onerror="window.__pwned=1">'

/** The memory page against the real memory subsystem. */
describe('web app: memory', () => {
  let browser: Browser
  let server: TestServer
  let context: BrowserContext
  let page: Page
  let watch: PageWatch

  const api = async (path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, { method: body ? 'POST' : 'GET', headers: { ...server.auth, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) })
    return { status: res.status, body: (await res.json()) as Record<string, any> }
  }

  beforeAll(async () => {
    ;[browser, { server }] = await Promise.all([launchBrowser(), startAppServer()])
    await api('/api/memory/write', { path: 'notes/ideas.md', content: '# Ideas\n\nBuild a **gateway** people pick.\n' })
    await api('/api/memory/write', { path: 'journal/2026-11-25.md', content: 'Met the team. Talked about the gateway launch.\n' })
    await api('/api/memory/write', { path: 'plans/q3.md', content: '# Q3\n\nThe quarterly launch plan, with dates.\n' })
    await api('/api/memory/write', { path: `notes/${HOSTILE}.md`, content: `${HOSTILE}\n\n[click](javascript:alert(1))\n` })
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
    await page.getByRole('link', { name: 'Memory' }).click()
    return async () => {
      expect(await injectedMarkup(page)).toEqual([])
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
      expect(watch.dialogs).toEqual([])
      expect(watch.errors).toEqual([])
      expect(watch.violations).toEqual([])
    }
  })

  const tree = () => page.getByRole('list', { name: 'Workspace files' })

  it('browses the tree, reads a note as markdown, edits and saves it', async () => {
    await tree().getByRole('button', { name: 'notes' }).click()
    await tree().getByRole('button', { name: 'ideas.md' }).click()
    const note = page.getByRole('region', { name: 'notes/ideas.md' })
    await note.locator('.markdown strong', { hasText: 'gateway' }).waitFor()
    await note.getByRole('button', { name: 'Edit' }).click()
    await note.getByLabel('Content of notes/ideas.md').fill('# Ideas\n\nShip the **web app**.\n')
    await note.getByRole('button', { name: 'Save' }).click()
    await note.locator('.markdown strong', { hasText: 'web app' }).waitFor()
    expect((await api('/api/memory/read?path=notes%2Fideas.md')).body.content).toBe('# Ideas\n\nShip the **web app**.\n')
  })

  it('refuses to overwrite a note that changed while it was being edited', async () => {
    await page.goto(`${server.url}/#/memory?path=journal%2F2026-11-25.md`)
    const note = page.getByRole('region', { name: 'journal/2026-11-25.md' })
    await note.getByRole('button', { name: 'Edit' }).click()
    await api('/api/memory/write', { path: 'journal/2026-11-25.md', content: 'Changed elsewhere.\n' })
    await note.getByLabel('Content of journal/2026-11-25.md').fill('My edit')
    await note.getByRole('button', { name: 'Save' }).click()
    await page.locator('.toast-message', { hasText: 'changed since you started editing' }).waitFor()
    expect((await api('/api/memory/read?path=journal%2F2026-11-25.md')).body.content).toBe('Changed elsewhere.\n')
  })

  it('searches, marks the matched words, and opens a result', async () => {
    await page.getByRole('searchbox', { name: 'Search memory' }).fill('quarterly')
    await page.getByRole('button', { name: 'Search' }).click()
    const results = page.getByRole('region', { name: 'Search results' })
    await results.locator('mark', { hasText: /quarterly/i }).first().waitFor()
    await results.getByRole('button', { name: /plans\/q3\.md/ }).click()
    await page.getByRole('region', { name: 'plans/q3.md' }).locator('.markdown').waitFor()
  })

  it('creates a note', async () => {
    await page.getByRole('button', { name: 'New note' }).click()
    await page.getByLabel('Path').fill('notes/todo.md')
    await page.getByLabel('Content', { exact: true }).fill('- [ ] write tests')
    await page.getByRole('button', { name: 'Create' }).click()
    await page.getByRole('region', { name: 'notes/todo.md' }).waitFor()
    expect((await api('/api/memory/read?path=notes%2Ftodo.md')).body.content).toBe('- [ ] write tests')
  })

  it('shows a hostile file name and content as text', async () => {
    await tree().getByRole('button', { name: 'notes' }).click()
    const item = tree().getByRole('button', { name: `${HOSTILE}.md` })
    await item.click()
    const note = page.getByRole('region', { name: `notes/${HOSTILE}.md` })
    await note.locator('.markdown').waitFor()
    expect(await note.locator('h2').textContent()).toBe(`notes/${HOSTILE}.md`)
    expect(await note.locator('.markdown').textContent()).toContain(HOSTILE)
    expect(await note.locator('.markdown a').getAttribute('href')).toBeNull()
  })
})
