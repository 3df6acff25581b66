import { afterAll, describe, expect, it } from 'vitest'
import { createNodeRuntime } from '../../adapters/node/index'
import { SseClient } from '../support/sse-client'
import { startTestServer, testGateway } from '../support/gateway'
import { createUser } from '../support/users'
import { skillMd } from '../support/archives'
import { FAKE_CLI } from '../jobs/support'

const json = async (res: Response) => (await res.json()) as Record<string, any>

/**
 * Issue 19, hardening: one member made 500 threads in 1.8 s and 2,000 tickets in 3 s. What one
 * user may hold is bounded (`limits.quotas`), past it 429 `quota_exceeded` with the quota in
 * `details`; another user is never affected.
 */
describe('per-user quotas', async () => {
  const quotas = { threadsPerUser: 6, emptyThreadsPerUser: 3, memoryDocumentsPerUser: 3, routinesPerUser: 2, skillsPerUser: 2, openJobsPerUser: 2 }
  const gw = await testGateway({
    runtime: createNodeRuntime(),
    config: { limits: { quotas }, jobs: { isolation: 'process', commands: [{ ...FAKE_CLI }], maxRunningPerUser: 1 } as never },
  })
  afterAll(() => gw.close())
  const refusal = async (res: Response, what: string, limit: number) => {
    expect(res.status, what).toBe(429)
    const body = await json(res)
    expect(body.error, what).toMatchObject({ code: 'quota_exceeded', details: { quota: what, limit } })
    return body
  }

  it('bounds empty threads, then threads in all', async () => {
    const member = await createUser(gw)
    const other = await createUser(gw)
    const newThread = (token: string) => gw.request('/api/chat/thread/new', { method: 'POST', token, json: {} })
    for (let i = 0; i < quotas.emptyThreadsPerUser; i++) expect((await newThread(member.token)).status).toBe(200)
    await refusal(await newThread(member.token), 'empty threads', quotas.emptyThreadsPerUser)
    expect((await newThread(other.token)).status).toBe(200)
    // A message without a thread makes one: those count toward the total.
    const send = () => gw.request('/api/chat/send', { method: 'POST', token: member.token, json: { content: 'hello' } })
    for (let i = quotas.emptyThreadsPerUser; i < quotas.threadsPerUser; i++) expect((await send()).status).toBe(202)
    await refusal(await send(), 'threads', quotas.threadsPerUser)
  })

  it('bounds memory documents, routines and skills', async () => {
    const member = await createUser(gw)
    const write = (path: string) => gw.request('/api/memory/write', { method: 'POST', token: member.token, json: { path, content: 'x' } })
    for (let i = 0; i < quotas.memoryDocumentsPerUser; i++) expect((await write(`notes/${i}.md`)).status).toBeLessThan(300)
    await refusal(await write('notes/over.md'), 'memory documents', quotas.memoryDocumentsPerUser)
    expect((await write('notes/0.md')).status).toBeLessThan(300) // rewriting one is not a new document

    const routine = (i: number) => gw.request('/api/routines', { method: 'POST', token: member.token, json: { name: `r${i}`, trigger: { type: 'manual' }, action: { type: 'lightweight', prompt: 'p' } } })
    for (let i = 0; i < quotas.routinesPerUser; i++) expect((await routine(i)).status).toBe(201)
    await refusal(await routine(99), 'routines', quotas.routinesPerUser)

    const skill = (name: string) =>
      gw.request('/api/skills/install', { method: 'POST', token: member.token, headers: { 'x-confirm-action': 'true' }, json: { content: skillMd({ name, description: `The ${name} skill` }, 'Do it.') } })
    for (let i = 0; i < quotas.skillsPerUser; i++) expect((await skill(`s${i}`)).status).toBe(201)
    const over = await skill('s99')
    expect(over.status).toBe(429)
    expect(await json(over)).toMatchObject({ success: false, error: { code: 'quota_exceeded' } })
  })

  it('bounds open (pending or running) jobs, with Retry-After', async () => {
    const member = await createUser(gw)
    const start = () => gw.request('/api/jobs', { method: 'POST', token: member.token, json: { prompt: 'sleep 2; say hi', kind: 'command' } })
    for (let i = 0; i < quotas.openJobsPerUser; i++) expect((await start()).status).toBe(201)
    const over = await start()
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0)
    await refusal(over, 'open jobs', quotas.openJobsPerUser)
    const jobs = (await json(await gw.request('/api/jobs', { token: member.token }))).jobs as Array<{ id: string }>
    for (const job of jobs) await gw.request(`/api/jobs/${job.id}/cancel`, { method: 'POST', token: member.token })
  })
})

describe('POST /api/chat/thread/new', async () => {
  const gw = await testGateway()
  afterAll(() => gw.close())
  it('takes no body or a JSON one, and answers 415 to anything else, like every JSON route', async () => {
    expect((await gw.request('/api/chat/thread/new', { method: 'POST' })).status).toBe(200)
    expect((await gw.request('/api/chat/thread/new', { method: 'POST', json: {} })).status).toBe(200)
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await gw.request('/api/chat/thread/new', { method: 'POST', body: 'x=1', headers: { 'content-type': type } })
      expect(res.status, type).toBe(415)
    }
  })
})

describe('GET /api/gateway/status, scoped', async () => {
  const t = await startTestServer()
  afterAll(() => t.close())
  it('shows a member its own streams and no deployment details; admins the whole gateway', async () => {
    const created = await fetch(`${t.url}/api/admin/users`, { method: 'POST', headers: { ...t.auth, 'content-type': 'application/json' }, body: JSON.stringify({ display_name: 'Mo' }) })
    const member = ((await created.json()) as { token: string }).token
    const owner = [await SseClient.open(`${t.url}/api/chat/events`, { headers: t.auth }), await SseClient.open(`${t.url}/api/chat/events`, { headers: t.auth })]
    const mine = await SseClient.open(`${t.url}/api/chat/events`, { headers: { authorization: `Bearer ${member}` } })
    const status = async (auth: string) => json(await fetch(`${t.url}/api/gateway/status`, { headers: { authorization: auth } }))
    const asMember = await status(`Bearer ${member}`)
    expect(asMember).toMatchObject({ scope: 'user', sse_connections: 1, ws_connections: 0, total_connections: 1 })
    for (const key of ['database', 'subsystems', 'runtime', 'isolation']) expect(asMember, key).not.toHaveProperty(key)
    const asOwner = await status(t.auth.authorization!)
    expect(asOwner).toMatchObject({ scope: 'gateway', sse_connections: 3, total_connections: 3, runtime: 'node' })
    expect(asOwner.subsystems).toBeTypeOf('object')
    for (const c of [...owner, mine]) c.close()
  })
})
