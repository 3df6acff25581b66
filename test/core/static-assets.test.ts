import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { ASSETS } from '../../src/generated/assets'
import { testGateway } from '../support/gateway'

describe('static app assets', async () => {
  const gw = await testGateway({ store: undefined })

  it('serves gzip to clients that accept it, and the plain body to others', async () => {
    const plain = await gw.request('/app.js', { token: null })
    expect(plain.headers.get('content-encoding')).toBeNull()
    expect(plain.headers.get('vary')).toContain('Accept-Encoding')
    const text = await plain.text()
    const gz = await gw.request('/app.js', { token: null, headers: { 'accept-encoding': 'gzip, deflate, br' } })
    expect(gz.headers.get('content-encoding')).toBe('gzip')
    expect(gz.headers.get('content-type')).toMatch(/^application\/javascript/)
    expect(gz.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(text)
    expect(gz.headers.get('etag')).not.toBe(plain.headers.get('etag'))
  })

  it('answers a revalidation with a current ETag with 304 and no body', async () => {
    for (const encoding of ['gzip', 'identity']) {
      const first = await gw.request('/style.css', { token: null, headers: { 'accept-encoding': encoding } })
      const etag = first.headers.get('etag')!
      const again = await gw.request('/style.css', { token: null, headers: { 'accept-encoding': encoding, 'if-none-match': etag } })
      expect(again.status).toBe(304)
      expect(await again.text()).toBe('')
      const stale = await gw.request('/style.css', { token: null, headers: { 'accept-encoding': encoding, 'if-none-match': '"stale"' } })
      expect(stale.status).toBe(200)
    }
  })

  it('keeps the app within its size budget: app.js + style.css under 150 KB gzipped', () => {
    const gz = (path: string) => Buffer.from(ASSETS[path]!.gzip!, 'base64').length
    const total = gz('/app.js') + gz('/style.css')
    expect(total).toBeLessThan(150 * 1024)
  })

  it('ships an app with no inline script, style or handler', () => {
    const html = ASSETS['/']!.body
    expect(html).not.toMatch(/<script>|<style|\son\w+=|style=/i)
    expect(ASSETS['/app.js']!.body).not.toMatch(/cdn\.|https:\/\/fonts\./)
  })
})
