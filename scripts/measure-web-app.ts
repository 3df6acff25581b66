/**
 * Measures the web app: gzipped size of app.js + style.css, and time to first render on a
 * loopback server in Debian's chromium (median of several cold loads).
 *
 *   npm run build:assets && npx tsx scripts/measure-web-app.ts
 */
import { ASSETS } from '../src/generated/assets'
import { launchBrowser, startAppServer } from '../test/browser/support'
import { TEST_TOKEN } from '../test/support/gateway'

const RUNS = Number(process.env.RUNS ?? 9)
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`
const gz = (path: string) => Buffer.from(ASSETS[path]!.gzip!, 'base64').length
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

console.log(`app.js    ${kib(ASSETS['/app.js']!.body.length)} raw, ${kib(gz('/app.js'))} gzip`)
console.log(`style.css ${kib(ASSETS['/style.css']!.body.length)} raw, ${kib(gz('/style.css'))} gzip`)
console.log(`total     ${kib(gz('/app.js') + gz('/style.css'))} gzip (budget 150 KiB)`)

const { server } = await startAppServer()
const browser = await launchBrowser()
/** Records when a selector first appears, in page time (ms since navigation start). */
const watchFor = (selector: string) => `
  new MutationObserver((_, observer) => {
    if (document.querySelector(${JSON.stringify(selector)})) {
      window.__rendered = performance.now()
      observer.disconnect()
    }
  }).observe(document, { childList: true, subtree: true })`

const samples = { fcp: [] as number[], signIn: [] as number[], chat: [] as number[] }
for (let i = 0; i < RUNS; i++) {
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.addInitScript(watchFor('#token, nav[aria-label="Main"]'))
  await page.goto(server.url)
  await page.waitForSelector('#token')
  samples.signIn.push(await page.evaluate(() => (window as unknown as { __rendered: number }).__rendered))
  samples.fcp.push(await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN))
  // Signed in (token in the tab): reload straight into the chat, which validates the token first.
  await page.evaluate((token) => sessionStorage.setItem('gateway.token', JSON.stringify(token)), TEST_TOKEN)
  await page.reload()
  await page.waitForSelector('nav[aria-label="Main"]')
  samples.chat.push(await page.evaluate(() => (window as unknown as { __rendered: number }).__rendered))
  await context.close()
}
console.log(`first contentful paint   ${median(samples.fcp).toFixed(0)} ms (median of ${RUNS})`)
console.log(`sign-in form rendered    ${median(samples.signIn).toFixed(0)} ms`)
console.log(`signed-in chat rendered  ${median(samples.chat).toFixed(0)} ms (includes GET /api/auth/whoami)`)
await browser.close()
await server.close()
