import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testGateway } from '../support/gateway'
import { defaultJobs, jobsGateway, OTHER_TOKEN, startJob, waitForState } from './support'

type Gw = Awaited<ReturnType<typeof jobsGateway>>
const code = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error

describe('job routes', () => {
  let gw: Gw
  let job: Record<string, any>
  beforeAll(async () => {
    gw = await jobsGateway()
    job = await startJob(gw, 'write notes/a.txt alpha\nsecond line of the prompt')
    await waitForState(gw, job.id, ['completed'])
  })
  afterAll(async () => {
    await gw.close()
  })

  it('lists, summarises and details the caller’s jobs with contract field names', async () => {
    const list = (await (await gw.request('/api/jobs')).json()) as { jobs: Array<Record<string, unknown>> }
    expect(list.jobs[0]).toEqual({
      id: job.id,
      title: 'write notes/a.txt alpha',
      state: 'completed',
      kind: 'command',
      user_id: 'owner',
      created_at: expect.stringMatching(/Z$/),
      started_at: expect.stringMatching(/Z$/),
      completed_at: expect.stringMatching(/Z$/),
    })
    const summary = await (await gw.request('/api/jobs/summary')).json()
    expect(summary).toMatchObject({ total: 1, completed: 1, running: 0, in_progress: 0, pending: 0, failed: 0, cancelled: 0, stuck: 0 })
    const detail = (await (await gw.request(`/api/jobs/${job.id}`)).json()) as Record<string, any>
    expect(detail).toMatchObject({ description: 'write notes/a.txt alpha\nsecond line of the prompt', job_kind: 'sandbox', job_mode: 'fake', can_prompt: true, can_restart: false })
    // `<exp>.<cred>.<sig>`: `o` is the owner's configured token, which minted these links.
    expect(detail.browse_url).toMatch(new RegExp(`^/projects/${job.id}\\.\\d+\\.o\\.[A-Za-z0-9_-]{43}/$`))
    expect(detail.events_url).toMatch(new RegExp(`^/api/jobs/${job.id}/events\\?ticket=\\d+\\.o\\.[A-Za-z0-9_-]{43}$`))
    expect(detail).not.toHaveProperty('project_dir')
    expect(JSON.stringify(detail)).not.toContain(gw.config.dataDir)
  })

  it('another user’s job is 404 everywhere, and their lists are their own', async () => {
    const asBob = (path: string, init: Parameters<Gw['request']>[1] = {}) => gw.request(path, { ...init, token: OTHER_TOKEN })
    expect(((await (await asBob('/api/jobs')).json()) as { jobs: unknown[] }).jobs).toEqual([])
    expect(await (await asBob('/api/jobs/summary')).json()).toMatchObject({ total: 0 })
    for (const [method, path, json] of [
      ['GET', `/api/jobs/${job.id}`],
      ['POST', `/api/jobs/${job.id}/cancel`],
      ['POST', `/api/jobs/${job.id}/restart`],
      ['POST', `/api/jobs/${job.id}/prompt`, { content: 'hi' }],
      ['GET', `/api/jobs/${job.id}/events`],
      ['GET', `/api/jobs/${job.id}/browse-url`],
      ['GET', `/api/jobs/${job.id}/files/list`],
      ['GET', `/api/jobs/${job.id}/files/read?path=notes/a.txt`],
      ['GET', `/projects/${job.id}/`],
      ['GET', `/projects/${job.id}/notes/a.txt`],
      ['GET', `/projects/${job.id}`],
    ] as const) {
      const res = await asBob(path, { method, ...(json ? { json } : {}) })
      expect(res.status, `${method} ${path}`).toBe(404)
      expect(await res.text()).not.toContain('alpha')
    }
  })

  it('validates ids and bodies with the error envelope', async () => {
    const bad = await gw.request('/api/jobs/not-a-uuid')
    expect(bad.status).toBe(400)
    expect((await code(bad)).message).toMatch(/Invalid job ID/)
    expect((await gw.request(`/api/jobs/${crypto.randomUUID()}`)).status).toBe(404)
    const empty = await gw.request('/api/jobs', { method: 'POST', json: { prompt: '   ', kind: 'command' } })
    expect(empty.status).toBe(400)
    const missing = await gw.request(`/api/jobs/${job.id}/prompt`, { method: 'POST', json: {} })
    expect(missing.status).toBe(400)
    const unknown = await gw.request('/api/jobs', { method: 'POST', json: { prompt: 'x', kind: 'command', command: 'nope' } })
    expect(unknown.status).toBe(400)
    expect((await code(unknown)).code).toBe('unknown_command')
    const noPath = await gw.request(`/api/jobs/${job.id}/files/read`)
    expect(noPath.status).toBe(400)
    expect((await gw.request('/api/jobs', { method: 'POST', body: 'prompt=x', headers: { 'content-type': 'text/plain' } })).status).toBe(415)
  })

  it('agent jobs answer 503 until the agent is attached', async () => {
    const res = await gw.request('/api/jobs', { method: 'POST', json: { prompt: 'do it' } })
    expect(res.status).toBe(503)
    expect((await code(res)).code).toBe('job_agent_unavailable')
  })

  it('lists directories first and reads text, binary and oversized files', async () => {
    const jobs = defaultJobs(gw)
    const root = jobs.workspaceOf({ workspace_id: job.id })
    await jobs.fs.write(root, ['bin.dat'], new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]))
    await jobs.fs.write(root, ['big.txt'], new TextEncoder().encode('é'.repeat(jobs.config.readCapBytes)))
    const list = (await (await gw.request(`/api/jobs/${job.id}/files/list`)).json()) as { path: string; entries: Array<{ name: string; is_dir: boolean }> }
    expect(list.path).toBe('')
    expect(list.entries.map((e) => e.name)).toEqual(['notes', '.fake-cli-turns', 'big.txt', 'bin.dat'])
    expect(list.entries[0]!.is_dir).toBe(true)
    const bin = await (await gw.request(`/api/jobs/${job.id}/files/read?path=bin.dat`)).json()
    expect(bin).toEqual({ path: 'bin.dat', content: null, size: 8, binary: true, truncated: false })
    const big = (await (await gw.request(`/api/jobs/${job.id}/files/read?path=big.txt`)).json()) as { content: string; truncated: boolean; size: number; binary: boolean }
    expect(big).toMatchObject({ truncated: true, binary: false, size: 2 * jobs.config.readCapBytes })
    // Cut at the cap, on a character boundary (no replacement character).
    expect(big.content.length).toBe(jobs.config.readCapBytes / 2)
    expect(big.content).not.toContain('\uFFFD')
    expect((await gw.request(`/api/jobs/${job.id}/files/read?path=notes`)).status).toBe(400)
    expect((await gw.request(`/api/jobs/${job.id}/files/read?path=nope.txt`)).status).toBe(404)
  })

  it('answers 503 jobs_unavailable without a database', async () => {
    const bare = await testGateway({ store: undefined })
    try {
      const res = await bare.request('/api/jobs')
      expect(res.status).toBe(503)
      expect((await code(res)).code).toBe('jobs_unavailable')
      expect((await bare.request(`/projects/${crypto.randomUUID()}/`)).status).toBe(503)
    } finally {
      await bare.close()
    }
  })

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await (await gw.request('/api/openapi.json')).json()) as { paths: Record<string, unknown> }
    for (const path of ['/api/jobs', '/api/jobs/summary', '/api/jobs/{id}', '/api/jobs/{id}/cancel', '/api/jobs/{id}/restart', '/api/jobs/{id}/prompt', '/api/jobs/{id}/events', '/api/jobs/{id}/files/list', '/api/jobs/{id}/files/read', '/api/jobs/{id}/browse-url']) {
      expect(doc.paths, path).toHaveProperty([path])
    }
  })

  it('offers create_job to the agent, behind approval, and it starts a job', async () => {
    const tool = await gw.tools.get('owner', 'create_job')
    expect(tool).toBeDefined()
    expect(tool!.requiresApproval).toBe(true)
    expect(tool!.source).toBe('jobs')
    const result = await tool!.execute({ prompt: 'write from-tool.txt made by the agent', kind: 'command' }, { userId: 'owner', threadId: 'thread-1', callId: 'c1', signal: new AbortController().signal })
    expect(result.isError).toBeFalsy()
    const id = /id ([0-9a-f-]{36})/.exec(result.output)![1]!
    const done = await waitForState(gw, id, ['completed'])
    expect(done.thread_id).toBe('thread-1')
    const bad = await tool!.execute({ prompt: 'x', kind: 'agent' }, { userId: 'owner', threadId: 't', callId: 'c2', signal: new AbortController().signal })
    expect(bad.isError).toBe(true)
  })
})
