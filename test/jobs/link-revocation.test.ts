import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serveGateway, type RunningServer } from '../../adapters/node/index'
import { SseClient } from '../support/sse-client'
import { createUser, type TestUser } from '../support/users'
import { waitFor } from '../support/gateway'
import { jobsGateway } from './support'

type Gw = Awaited<ReturnType<typeof jobsGateway>>

/**
 * Issue 19, defect 2: a suspended member's signed links (`browse_url`, `events_url`) kept serving
 * its workspace and event log until they expired. Every use of a link now checks that the token
 * it was minted with still authenticates its user; a live link stream ends with the user.
 */
describe('signed job links follow their user and their minting token', () => {
  let gw: Gw
  let server: RunningServer
  let member: TestUser
  let jobId: string
  const links = async (token: string) => (await (await gw.request(`/api/jobs/${jobId}`, { token })).json()) as { browse_url: string; events_url: string }
  const open = (path: string) => gw.request(path, { token: null })
  const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code
  const memberJob = async (prompt: string) => {
    const res = await gw.request('/api/jobs', { method: 'POST', token: member.token, json: { prompt, kind: 'command' } })
    expect(res.status).toBe(201)
    const job = (await res.json()) as { id: string }
    await waitFor(async () => ((await (await gw.request(`/api/jobs/${job.id}`, { token: member.token })).json()) as { state: string }).state === 'completed', 15_000, 'job completed')
    return job
  }

  beforeAll(async () => {
    gw = await jobsGateway()
    server = await serveGateway(gw, { port: 0 })
    member = await createUser(gw)
    jobId = (await memberJob('write notes/a.txt alpha; say done')).id
  })
  afterAll(async () => {
    await server.close(500)
  })

  it("cuts a suspended user's links at once, streams included, and gives them back on re-activation", async () => {
    const { browse_url, events_url } = await links(member.token)
    expect((await open(`${browse_url}notes/a.txt`)).status).toBe(200)
    const live = await SseClient.open(`${server.url}${events_url}`)
    expect(live.status).toBe(200)

    expect((await gw.request(`/api/admin/users/${member.id}/suspend`, { method: 'POST' })).status).toBe(200)
    await live.waitEnd(1_000)
    for (const path of [browse_url, `${browse_url}notes/a.txt`, events_url]) {
      const res = await open(path)
      expect(res.status, path).toBe(401)
      expect(await code(res), path).toBe('link_revoked')
    }
    const refused = await SseClient.open(`${server.url}${events_url}`)
    expect(refused.status).toBe(401)
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'link_revoked' } })

    // The links name the user's token, not a snapshot of it: back with the account.
    expect((await gw.request(`/api/admin/users/${member.id}/activate`, { method: 'POST' })).status).toBe(200)
    expect((await open(`${browse_url}notes/a.txt`)).status).toBe(200)
  })

  it('cuts the links (and their streams) of a revoked token, not those of the user\'s other tokens', async () => {
    const laptop = (await (await gw.request('/api/tokens', { method: 'POST', token: member.token, json: { name: 'laptop' } })).json()) as { id: string; token: string }
    const fromLaptop = await links(laptop.token)
    const fromFirst = await links(member.token)
    expect(fromLaptop.browse_url).toContain(`.${laptop.id}.`)
    const live = await SseClient.open(`${server.url}${fromLaptop.events_url}`)
    expect(live.status).toBe(200)

    expect((await gw.request(`/api/tokens/${laptop.id}`, { method: 'DELETE', token: laptop.token })).status).toBe(200)
    await live.waitEnd(1_000)
    const dead = await open(fromLaptop.browse_url)
    expect(dead.status).toBe(401)
    expect(await code(dead)).toBe('link_revoked')
    expect((await open(fromLaptop.events_url)).status).toBe(401)
    expect((await open(fromFirst.browse_url)).status).toBe(200)
    const still = await SseClient.open(`${server.url}${fromFirst.events_url}`)
    expect(still.status).toBe(200)
    still.close()
  })

  it('no longer puts a signed link in the job_started event or in the agent tool output', async () => {
    const job = await memberJob('say plain')
    const rows = await gw.store!.db.selectFrom('events').select(['type', 'payload']).where('user_id', '=', member.id).where('type', '=', 'job_started').execute()
    const started = rows.map((r) => JSON.parse(String(r.payload)) as { job_id: string; browse_url: string }).find((e) => e.job_id === job.id)
    expect(started?.browse_url).toBe(`/projects/${job.id}/`)
  })
})
