import { afterAll, describe, expect, it } from 'vitest'
import { signWebhook } from '../../src/services/routines/webhook-signature'
import { agentGateway, json } from '../support/agent'
import { MockLlm } from '../support/mock-llm'
import { manualClock } from '../support/users'
import { defaultRoutines } from '../support/defaults'

describe('routine webhooks', async () => {
  const llm = await MockLlm.start()
  const clock = manualClock(Date.parse('2026-03-02T10:00:00.000Z'))
  const gw = await agentGateway(llm, { runtime: { name: 'node', clock } })
  const routines = defaultRoutines(gw)
  afterAll(async () => {
    await gw.close()
    await llm.close()
  })

  const createHook = async (path?: string) => {
    const res = await gw.request('/api/routines', {
      method: 'POST',
      json: { name: 'Deploys', trigger: { type: 'webhook', ...(path ? { path } : {}) }, action: { type: 'lightweight', prompt: 'Tell me about this deploy' } },
    })
    expect(res.status).toBe(201)
    return json(res)
  }
  const nowSecs = () => String(Math.floor(clock.now() / 1000))
  const deliver = async (path: string, body: string, headers: Record<string, string>) =>
    gw.request(`/api/webhooks/${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, token: null })
  const signed = async (secret: string, body: string, timestamp = nowSecs()) => ({
    'x-webhook-timestamp': timestamp,
    'x-webhook-signature': `sha256=${await signWebhook(secret, timestamp, body)}`,
  })

  it('shows the secret once at creation, never again, and stores it sealed', async () => {
    const hook = await createHook('deploys')
    expect(hook.webhook_secret).toMatch(/^[0-9a-f]{64}$/)
    expect(hook.trigger).toEqual({ type: 'webhook', path: 'deploys', has_secret: true })
    expect(hook.webhook_url).toBe('/api/webhooks/deploys')
    expect(hook.trigger_summary).toBe('webhook: /api/webhooks/deploys')
    const again = await gw.request(`/api/routines/${hook.id}`)
    expect(await again.text()).not.toContain(hook.webhook_secret)
    const list = await gw.request('/api/routines')
    expect(await list.text()).not.toContain(hook.webhook_secret)
    const row = await gw.store!.db.selectFrom('routines').select(['webhook_secret', 'trigger']).where('id', '=', hook.id).executeTakeFirstOrThrow()
    expect(row.webhook_secret).not.toContain(hook.webhook_secret)
    expect(row.trigger).not.toContain(hook.webhook_secret)
    // A taken path is a conflict; a missing one is random.
    expect((await gw.request('/api/routines', { method: 'POST', json: { name: 'x', trigger: { type: 'webhook', path: 'deploys' }, action: { type: 'lightweight', prompt: 'p' } } })).status).toBe(409)
    const random = await createHook()
    expect(random.trigger.path).toMatch(/^[0-9a-f]{24}$/)
  })

  it('two routines racing for one path: one is created, the other is a 409, never a 500', async () => {
    const create = () => gw.request('/api/routines', { method: 'POST', json: { name: 'race', trigger: { type: 'webhook', path: 'raced' }, action: { type: 'lightweight', prompt: 'p' } } })
    const statuses = (await Promise.all([create(), create(), create()])).map((r) => r.status).sort()
    expect(statuses).toEqual([201, 409, 409])
  })

  it('runs the routine for a well-signed delivery, with the body quoted as data', async () => {
    const hook = await createHook('signed-ok')
    const body = JSON.stringify({ service: 'api', version: '1.2.3' })
    const res = await deliver('signed-ok', body, await signed(hook.webhook_secret, body))
    expect(res.status).toBe(200)
    const accepted = await json(res)
    expect(accepted).toMatchObject({ status: 'triggered', routine_id: hook.id, routine_name: 'Deploys' })
    await routines.runner.idle()
    await gw.defaultAgent!.idle()
    const runs = (await json(gw.request(`/api/routines/${hook.id}/runs`))).runs
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({ id: accepted.run_id, trigger_type: 'webhook', status: 'ok' })
    const history = await json(gw.request(`/api/chat/history?thread_id=${hook.thread_id}`))
    expect(history.turns[0].user_input).toContain('Tell me about this deploy')
    expect(history.turns[0].user_input).toContain('"version":"1.2.3"')
    expect(history.turns[0].user_input).toContain('not instructions')
  })

  it('refuses bad, missing, stale and replayed signatures, unknown paths and oversized bodies', async () => {
    const hook = await createHook('guarded')
    const body = '{"event":"push"}'
    const good = await signed(hook.webhook_secret, body)
    const expectError = async (res: Response, status: number, code: string) => {
      expect(res.status).toBe(status)
      expect((await json(res)).error.code).toBe(code)
    }
    await expectError(await deliver('guarded', body, {}), 401, 'signature_required')
    await expectError(await deliver('guarded', body, await signed('0'.repeat(64), body)), 401, 'invalid_signature')
    await expectError(await deliver('guarded', `${body} `, good), 401, 'invalid_signature') // body changed
    await expectError(await deliver('guarded', body, { ...good, 'x-webhook-signature': 'sha256=zz' }), 401, 'invalid_signature')
    const stale = String(Math.floor(clock.now() / 1000) - 6 * 60)
    await expectError(await deliver('guarded', body, await signed(hook.webhook_secret, body, stale)), 401, 'stale_timestamp')
    const future = String(Math.floor(clock.now() / 1000) + 6 * 60)
    await expectError(await deliver('guarded', body, await signed(hook.webhook_secret, body, future)), 401, 'stale_timestamp')
    await expectError(await deliver('nobody-here', body, good), 404, 'webhook_not_found')

    expect((await deliver('guarded', body, good)).status).toBe(200)
    await routines.runner.idle()
    // The same delivery again (a replay within the window) does not run twice.
    await expectError(await deliver('guarded', body, good), 409, 'duplicate_delivery')

    const big = 'x'.repeat(65 * 1024)
    await expectError(await deliver('guarded', big, await signed(hook.webhook_secret, big)), 413, 'payload_too_large')
    await routines.runner.idle()
    expect((await json(gw.request(`/api/routines/${hook.id}/runs`))).runs).toHaveLength(1)
  })

  it('rotates the secret on request (the old one stops working) and rate-limits each path', async () => {
    const hook = await createHook('rotating')
    const rotated = await json(gw.request(`/api/routines/${hook.id}`, { method: 'PATCH', json: { rotate_secret: true } }))
    expect(rotated.webhook_secret).toMatch(/^[0-9a-f]{64}$/)
    expect(rotated.webhook_secret).not.toBe(hook.webhook_secret)
    const body = '{}'
    expect((await deliver('rotating', body, await signed(hook.webhook_secret, body))).status).toBe(401)
    clock.advance(1_000)
    expect((await deliver('rotating', body, await signed(rotated.webhook_secret, body))).status).toBe(200)
    await routines.runner.idle()
    // A rename keeps the secret.
    const renamed = await json(gw.request(`/api/routines/${hook.id}`, { method: 'PATCH', json: { name: 'Renamed' } }))
    expect(renamed.webhook_secret).toBeUndefined()

    const statuses: number[] = []
    for (let i = 0; i < 31; i++) statuses.push((await deliver('flooded', body, {})).status)
    expect(statuses.slice(0, 30).every((s) => s === 404)).toBe(true)
    const limited = await deliver('flooded', body, {})
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/)
    // Another path is not affected.
    expect((await deliver('rotating', body, {})).status).toBe(401)
  })
})
