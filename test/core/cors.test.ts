import { describe, expect, it } from 'vitest'
import { testGateway } from '../support/gateway'

describe('CORS on actual (non-preflight) requests', () => {
  it('allows only allowed origins, on successes and errors alike, and always varies on Origin', async () => {
    const gw = await testGateway({ store: undefined })
    const get = (path: string, origin?: string, token?: string | null) =>
      gw.request(`http://localhost:3000${path}`, { headers: origin ? { origin } : {}, token })

    const allowed = await get('/api/auth/whoami', 'http://localhost:3000')
    expect(allowed.status).toBe(200)
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:3000')
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true')
    expect(allowed.headers.get('vary')).toBe('Origin')
    expect(allowed.headers.get('x-content-type-options')).toBe('nosniff')

    // A cross-origin page must be able to read the error too.
    const denied = await get('/api/auth/whoami', 'http://localhost:3000', null)
    expect(denied.status).toBe(401)
    expect(denied.headers.get('access-control-allow-origin')).toBe('http://localhost:3000')
    expect(await denied.json()).toMatchObject({ error: { code: 'unauthorized' } })

    for (const origin of ['https://evil.example', undefined]) {
      const res = await get('/api/health', origin)
      expect(res.status).toBe(200)
      expect(res.headers.get('access-control-allow-origin'), origin).toBeNull()
      expect(res.headers.get('access-control-allow-credentials'), origin).toBeNull()
      expect(res.headers.get('vary'), origin).toBe('Origin')
    }
    await gw.close()
  })
})
