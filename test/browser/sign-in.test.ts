import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext } from 'playwright-core'
import type { TestServer } from '../support/gateway'
import { startOidcProvider } from '../support/oidc-provider'
import { launchBrowser, openPage, signIn, startAppServer } from './support'

/** Sign-in without pasting tokens each time: OIDC, a trusted proxy's header, the cookie session. */
describe('web app sign-in: OIDC, trusted proxy, cookie sessions', () => {
  let browser: Browser
  let provider: Awaited<ReturnType<typeof startOidcProvider>>
  let server: TestServer | undefined
  let context: BrowserContext | undefined

  beforeAll(async () => {
    ;[browser, provider] = await Promise.all([launchBrowser(), startOidcProvider({ clientId: 'gateway', clientSecret: 'browser-secret' })])
  })
  afterAll(async () => {
    await browser?.close()
    await provider?.close()
  })
  afterEach(async () => {
    await context?.close()
    await server?.close()
    context = server = undefined
  })

  const sessionCookie = async () => (await context!.cookies()).find((c) => c.name === 'gateway_session')

  it('signs in with the identity provider, and the session cookie refuses a write without the CSRF token', async () => {
    ;({ server } = await startAppServer({ config: { signIn: { oidc: { issuer: provider.issuer, clientId: 'gateway', clientSecret: 'browser-secret', displayName: 'Keycloak' } } } }))
    provider.state.user = { sub: 'grace-1', name: 'Grace Hopper', email: 'grace@example.com', email_verified: true }
    context = await browser.newContext({ viewport: { width: 1200, height: 800 } })
    const { page, watch } = await openPage(context, server.url)
    await page.goto(server.url)
    await page.getByRole('link', { name: 'Sign in with Keycloak' }).click()
    await page.getByRole('navigation', { name: 'Main' }).waitFor()
    await expect.poll(() => page.locator('.whoami-name').textContent()).toBe('Grace Hopper')
    const cookie = (await sessionCookie())!
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' })
    expect(await page.evaluate(() => document.cookie)).not.toContain('gateway_session')

    // A write that authenticates by the cookie alone (what a forged request would be) is refused...
    const forged = await page.evaluate(async () => {
      const res = await fetch('api/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'forged' }) })
      return { status: res.status, body: await res.json() }
    })
    expect(forged).toMatchObject({ status: 403, body: { error: { code: 'csrf_failed' } } })
    // ...while the app's own writes carry the token.
    await page.getByRole('link', { name: 'API tokens' }).click()
    await page.getByRole('button', { name: 'New token' }).click()
    await page.getByLabel('Name').fill('from sso')
    await page.getByRole('button', { name: 'Create' }).click()
    await expect.poll(async () => (await page.locator('[data-secret]').textContent()) ?? '').toMatch(/^[0-9a-f]{64}$/)
    await page.getByRole('button', { name: 'Done' }).click()
    // The browser session is listed; a reload keeps it.
    await page.getByRole('table', { name: 'Browser sessions' }).getByText('single sign-on').waitFor()
    await page.reload()
    await page.getByRole('navigation', { name: 'Main' }).waitFor()
    expect(watch.errors).toEqual([])
  })

  it('shows why the identity provider refused the sign-in', async () => {
    ;({ server } = await startAppServer({ config: { signIn: { oidc: { issuer: provider.issuer, clientId: 'gateway', clientSecret: 'browser-secret' } } } }))
    provider.state.tamper = 'wrong-key'
    try {
      context = await browser.newContext()
      const { page } = await openPage(context, server.url)
      await page.goto(server.url)
      await page.getByRole('link', { name: 'Sign in with single sign-on' }).click()
      await expect.poll(() => page.locator('#signin-error').textContent()).toMatch(/answer was refused.*signature/i)
      expect(await sessionCookie()).toBeUndefined()
    } finally {
      provider.state.tamper = 'none'
    }
  })

  it("signs in by the trusted proxy's header without a token, and refuses it from an untrusted address", async () => {
    ;({ server } = await startAppServer({ config: { signIn: { trustedProxy: { header: 'Remote-User', proxies: ['127.0.0.1', '::1'] } } } }))
    // The browser reaches the gateway from loopback, as the proxy would, with the proxy's header.
    context = await browser.newContext({ extraHTTPHeaders: { 'Remote-User': 'bob' } })
    const { page } = await openPage(context, server.url)
    await page.goto(server.url)
    await page.getByRole('navigation', { name: 'Main' }).waitFor()
    await expect.poll(() => page.locator('.whoami-name').textContent()).toBe('bob')
    expect(await sessionCookie()).toBeDefined()
    await context.close()
    await server.close()

    ;({ server } = await startAppServer({ config: { signIn: { trustedProxy: { header: 'Remote-User', proxies: ['10.0.0.0/8'] } } } }))
    context = await browser.newContext({ extraHTTPHeaders: { 'Remote-User': 'bob' } })
    const untrusted = await openPage(context, server.url)
    await untrusted.page.goto(server.url)
    await expect.poll(() => untrusted.page.locator('#signin-error').textContent()).toMatch(/only accepted from the configured trusted proxies/)
    expect(await sessionCookie()).toBeUndefined()
  })

  it('a pasted token opens a session the tab does not keep; signing out ends it on the server', async () => {
    ;({ server } = await startAppServer())
    context = await browser.newContext()
    const { page } = await openPage(context, server.url)
    await signIn(page, server.url)
    expect(await page.evaluate(() => JSON.stringify(sessionStorage))).not.toContain('test-owner-token')
    const cookie = (await sessionCookie())!
    await page.reload()
    await page.getByRole('navigation', { name: 'Main' }).waitFor()
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByLabel('Token', { exact: true }).waitFor()
    // The tab signs out at once and tells the server in the background: poll for the server side.
    const url = server.url
    const whoami = async () => (await fetch(`${url}/api/auth/whoami`, { headers: { cookie: `gateway_session=${cookie.value}` } })).status
    await expect.poll(whoami).toBe(401)
  })
})
