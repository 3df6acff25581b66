import { afterAll, describe, expect, it } from 'vitest'
import { MAX_PENDING_PER_CHANNEL, PAIRING_ALPHABET, PAIRING_TTL_MS, pairingCode } from '../../src/services/pairing/pairing-service'
import { testGateway } from '../support/gateway'
import { createUser, manualClock } from '../support/users'

describe('pairing', async () => {
  const clock = manualClock()
  const gw = await testGateway({ runtime: { name: 'node', clock } })
  afterAll(() => gw.close())
  const pairing = gw.services.pairing!
  const json = async (res: Response) => (await res.json()) as Record<string, any>
  const approve = (channel: string, body: unknown) => gw.request(`/api/pairing/${channel}/approve`, { method: 'POST', json: body })

  it('draws 8-character codes from the unambiguous alphabet', () => {
    for (let i = 0; i < 200; i++) expect(pairingCode()).toMatch(new RegExp(`^[${PAIRING_ALPHABET}]{8}$`))
  })

  it('lists pending requests and approves one by code (trimmed, any case)', async () => {
    const pending = await pairing.request('telegram', 'tg:1001', { name: 'Ann' })
    if (pending.status !== 'pending') throw new Error('expected a pending request')
    expect(pending.created).toBe(true)
    // The same sender asking again gets the same code.
    expect(await pairing.request('telegram', 'tg:1001')).toMatchObject({ status: 'pending', code: pending.code, created: false })
    const list = await json(await gw.request('/api/pairing/telegram'))
    expect(list).toEqual({ channel: 'telegram', requests: [{ code: pending.code, sender_id: 'tg:1001', meta: { name: 'Ann' }, created_at: expect.any(String), expires_at: pending.expiresAt }] })
    const res = await approve('telegram', { code: ` ${pending.code.toLowerCase()} ` })
    expect(res.status).toBe(200)
    expect(await json(res)).toEqual({ success: true, message: "Pairing approved for sender 'tg:1001'", sender_id: 'tg:1001', user_id: 'owner' })
    expect((await json(await gw.request('/api/pairing/telegram'))).requests).toEqual([])
    expect(await pairing.lookup('telegram', 'tg:1001')).toMatchObject({ userId: 'owner', approvedBy: 'owner' })
    expect(await pairing.request('telegram', 'tg:1001')).toEqual({ status: 'approved', userId: 'owner' })
    // A code works once.
    expect((await approve('telegram', { code: pending.code })).status).toBe(404)
  })

  it('binds the sender to another user when asked, and forgets it when that user is deleted', async () => {
    const member = await createUser(gw)
    const p = await pairing.request('slack', 'U123')
    if (p.status !== 'pending') throw new Error('expected pending')
    expect(await json(await approve('slack', { code: p.code, user_id: member.id }))).toMatchObject({ success: true, user_id: member.id })
    expect((await pairing.lookup('slack', 'U123'))?.userId).toBe(member.id)
    await gw.request(`/api/admin/users/${member.id}`, { method: 'DELETE' })
    expect(await pairing.lookup('slack', 'U123')).toBeUndefined()
    const q = await pairing.request('slack', 'U999')
    if (q.status !== 'pending') throw new Error('expected pending')
    expect((await approve('slack', { code: q.code, user_id: 'ghost' })).status).toBe(404)
  })

  it('keeps at most 3 pending requests per channel and expires them after 15 minutes', async () => {
    const codes: string[] = []
    for (let i = 0; i < MAX_PENDING_PER_CHANNEL; i++) {
      const r = await pairing.request('discord', `d:${i}`)
      if (r.status === 'pending') codes.push(r.code)
    }
    expect(codes).toHaveLength(3)
    expect(await pairing.request('discord', 'd:extra')).toEqual({ status: 'full' })
    expect(await pairing.request('other', 'd:extra')).toMatchObject({ status: 'pending' })
    clock.advance(PAIRING_TTL_MS)
    expect((await json(await gw.request('/api/pairing/discord'))).requests).toEqual([])
    const expired = await approve('discord', { code: codes[0] })
    expect(expired.status).toBe(404)
    expect(await json(expired)).toEqual({ success: false, message: 'Invalid or expired pairing code', error: { code: 'pairing_code_invalid', message: 'Invalid or expired pairing code' } })
    expect(await pairing.request('discord', 'd:extra')).toMatchObject({ status: 'pending', created: true })
  })

  it('answers an unknown channel with no requests, and refuses bad channels and empty codes', async () => {
    expect(await json(await gw.request('/api/pairing/nowhere'))).toEqual({ channel: 'nowhere', requests: [] })
    expect((await gw.request('/api/pairing/Bad%20Channel')).status).toBe(400)
    const empty = await approve('matrix', { code: '   ' })
    expect(empty.status).toBe(400)
    expect((await json(empty)).success).toBe(false)
    expect((await approve('matrix', {})).status).toBe(400)
  })

  it('rate-limits failed approvals: 10 per 5 minutes per channel, with Retry-After', async () => {
    const real = await pairing.request('whatsapp', 'w:1')
    if (real.status !== 'pending') throw new Error('expected pending')
    for (let i = 0; i < 10; i++) expect((await approve('whatsapp', { code: 'ZZZZZZZZ' })).status).toBe(404)
    const limited = await approve('whatsapp', { code: real.code })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await json(limited)).toMatchObject({ success: false, message: 'Too many failed approve attempts; try again later' })
    // Other channels are not affected; the window slides.
    const elsewhere = await pairing.request('signal', 's:1')
    if (elsewhere.status !== 'pending') throw new Error('expected pending')
    expect((await approve('signal', { code: elsewhere.code })).status).toBe(200)
    clock.advance(5 * 60_000)
    // Five minutes on, the failures have left the window and the code (valid 15 minutes) still works.
    expect((await approve('whatsapp', { code: real.code })).status).toBe(200)
  })
})
