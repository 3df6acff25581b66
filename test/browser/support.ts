import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import type { ApprovalDecision, ApprovalOutcome, ChannelAgent, IncomingMessage } from '../../src/index'
import { startTestServer, TEST_TOKEN, type TestServer } from '../support/gateway'

/** Debian's chromium (`apt-get install -y chromium`; `.ci/run` installs it). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts')

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
}

/**
 * Everything a page did that a test must fail on: dialogs (`alert` from an XSS payload), console
 * errors, uncaught exceptions and Content-Security-Policy violations.
 */
export interface PageWatch {
  dialogs: string[]
  errors: string[]
  violations: string[]
  /** Requests that left the gateway's origin. */
  offOrigin: string[]
}

export async function openPage(context: BrowserContext, origin: string): Promise<{ page: Page; watch: PageWatch }> {
  const page = await context.newPage()
  const watch: PageWatch = { dialogs: [], errors: [], violations: [], offOrigin: [] }
  page.on('dialog', (dialog) => {
    watch.dialogs.push(`${dialog.type()}: ${dialog.message()}`)
    void dialog.dismiss()
  })
  page.on('pageerror', (error) => watch.errors.push(`pageerror: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() !== 'error') return
    const text = message.text()
    // EventSource reconnects log a network error when a test stops the server: not the page's fault.
    if (/net::ERR_|Failed to load resource/.test(text) && !/Content Security Policy/.test(text)) return
    watch.errors.push(`console: ${text}`)
  })
  page.on('request', (request) => {
    const url = request.url()
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) watch.offOrigin.push(url)
  })
  await page.exposeBinding('__reportViolation', (_source, text: string) => void watch.violations.push(text))
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      ;(window as unknown as { __reportViolation(t: string): void }).__reportViolation(`${e.violatedDirective} ${e.blockedURI}`)
    })
  })
  return { page, watch }
}

export async function signIn(page: Page, url: string, token = TEST_TOKEN): Promise<void> {
  await page.goto(url)
  const nav = page.getByRole('navigation', { name: 'Main' })
  const field = page.getByLabel('Token', { exact: true })
  await nav.or(field).first().waitFor()
  // Another tab of this browser context already opened a cookie session: this tab is signed in
  // with it. A different token means signing that session out first.
  if (await nav.isVisible()) {
    if (token === TEST_TOKEN) return
    await page.getByRole('button', { name: 'Sign out' }).click()
  }
  await field.fill(token)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('navigation', { name: 'Main' }).waitFor()
}

/** No `on*` attribute and no `<script>` anywhere in the document. */
export async function injectedMarkup(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = []
    for (const el of document.querySelectorAll('*')) {
      for (const attr of el.getAttributeNames()) if (/^on/i.test(attr)) found.push(`${el.tagName}[${attr}]`)
      if (el.tagName === 'SCRIPT' && (el as HTMLScriptElement).src !== new URL('app.js', document.baseURI).href) found.push('SCRIPT')
      if (el.tagName === 'IFRAME' || el.tagName === 'OBJECT' || el.tagName === 'EMBED') found.push(el.tagName)
      const href = el.getAttribute('href')
      if (href && /^\s*(javascript|data|vbscript):/i.test(href)) found.push(`${el.tagName}[href=${href}]`)
    }
    return found
  })
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false })
}

type Step = (say: ScriptedAgent['say'], message: IncomingMessage) => Promise<void>

/**
 * An agent plugged into `gateway.channel` by the test (the embedding API): each message runs the
 * next scripted step; it asks for approvals and honours cancel like a real agent.
 */
export class ScriptedAgent implements ChannelAgent {
  readonly messages: IncomingMessage[] = []
  readonly #steps: Step[] = []
  readonly #approvals = new Map<string, { userId: string; threadId: string; resolve: (d: ApprovalDecision['action']) => void }>()
  readonly #cancelled = new Set<string>()

  constructor(private readonly server: TestServer) {}

  then(step: Step): this {
    this.#steps.push(step)
    return this
  }

  say = (message: IncomingMessage, event: Parameters<TestServer['gateway']['channel']['sendStatus']>[1]) =>
    this.server.gateway.channel.sendStatus({ userId: message.userId, threadId: message.threadId }, event)

  onMessage(message: IncomingMessage): void {
    this.messages.push(message)
    const step = this.#steps.shift() ?? (async (say: ScriptedAgent['say'], m: IncomingMessage) => {
      await say(m, { type: 'stream_chunk', content: 'echo: ' })
      await say(m, { type: 'response', content: `echo: ${m.content}`, thread_id: m.threadId })
    })
    void step(this.say, message).catch((error: unknown) => this.say(message, { type: 'error', message: String(error) }))
  }

  /** Publishes `approval_needed` and waits for the user's answer. */
  async askApproval(message: IncomingMessage, tool: string, parameters: unknown): Promise<ApprovalDecision['action']> {
    const requestId = crypto.randomUUID()
    const answer = new Promise<ApprovalDecision['action']>((resolve) => this.#approvals.set(requestId, { userId: message.userId, threadId: message.threadId, resolve }))
    await this.say(message, {
      type: 'approval_needed',
      request_id: requestId,
      tool_name: tool,
      description: `Run ${tool}`,
      parameters: JSON.stringify(parameters, null, 2),
      allow_always: true,
    })
    return answer
  }

  async onApproval(decision: ApprovalDecision): Promise<ApprovalOutcome> {
    const pending = this.#approvals.get(decision.requestId)
    if (!pending || pending.userId !== decision.userId) return 'not_found'
    this.#approvals.delete(decision.requestId)
    await this.server.gateway.channel.sendStatus(
      { userId: pending.userId, threadId: pending.threadId },
      { type: 'approval_resolved', request_id: decision.requestId, action: decision.action },
    )
    pending.resolve(decision.action)
    return 'resolved'
  }

  async onCancel(request: { userId: string; threadId: string }): Promise<boolean> {
    this.#cancelled.add(request.threadId)
    await this.server.gateway.channel.sendStatus(request, { type: 'turn_cancelled', thread_id: request.threadId, message: 'Stopped by the user' })
    return true
  }

  cancelled(threadId: string): boolean {
    return this.#cancelled.has(threadId)
  }
}

export async function startAppServer(options: Parameters<typeof startTestServer>[0] = {}): Promise<{ server: TestServer; agent: ScriptedAgent }> {
  const server = await startTestServer(options)
  const agent = new ScriptedAgent(server)
  server.gateway.channel.attach(agent)
  return { server, agent }
}

/** A latch a scripted step can wait on (the test releases it). */
export function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void
  const wait = new Promise<void>((resolve) => (open = resolve))
  return { wait, open }
}
