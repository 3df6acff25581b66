import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitFor } from '../support/gateway'
import { alive, BWRAP_AVAILABLE, defaultJobs, eventsWhen, FAKE_CLI, ISOLATIONS, jobsGateway, processesWith, startJob, waitForState } from './support'

type Gw = Awaited<ReturnType<typeof jobsGateway>>

/** The events once the turns so far have all recorded their result. */
const eventsOf = (gw: Gw, id: string, results = 1) => eventsWhen(gw, id, (events) => events.filter((e) => e.event_type === 'result').length >= results && events.at(-1)?.event_type === 'result')

describe.each(ISOLATIONS)('command jobs (isolation: %s)', (isolation) => {
  let gw: Gw
  beforeAll(async () => {
    gw = await jobsGateway({ isolation })
  })
  afterAll(async () => {
    await gw.close()
  })

  it('reports the isolation in force in the gateway status', async () => {
    const status = (await (await gw.request('/api/gateway/status')).json()) as Record<string, unknown>
    expect(status.isolation).toBe(isolation)
    expect((status.subsystems as Record<string, boolean>).jobs).toBe(true)
  })

  it('runs a CLI that writes files, recording its stream-JSON events and usage', async () => {
    const job = await startJob(gw, 'write src/hello.txt hello world; say all done; print 3', { title: 'Hello' })
    expect(job).toMatchObject({ title: 'Hello', kind: 'command', job_mode: 'fake', job_kind: 'sandbox', state: 'pending' })
    const done = await waitForState(gw, job.id, ['completed', 'failed'])
    expect(done).toMatchObject({ state: 'completed', result: 'done turn 1', usage: { input_tokens: 10, output_tokens: 5 }, can_prompt: true, can_restart: false, can_cancel: false })
    expect(done.transitions.map((t: { to: string }) => t.to)).toEqual(['pending', 'running', 'completed'])
    expect(done.elapsed_secs).toBeGreaterThanOrEqual(0)

    const read = await gw.request(`/api/jobs/${job.id}/files/read?path=src/hello.txt`)
    expect(await read.json()).toEqual({ path: 'src/hello.txt', content: 'hello world', size: 11, binary: false, truncated: false })
    const list = (await (await gw.request(`/api/jobs/${job.id}/files/list?path=src`)).json()) as { entries: Array<{ name: string; path: string; is_dir: boolean }> }
    expect(list.entries).toEqual([expect.objectContaining({ name: 'hello.txt', path: 'src/hello.txt', is_dir: false, size: 11 })])

    const events = await eventsOf(gw, job.id)
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1))
    const types = events.map((e) => `${e.event_type}${e.data.role ? `:${e.data.role}` : ''}`)
    expect(types).toEqual(['status', 'status', 'message:user', 'status', 'tool_use', 'tool_result', 'message:assistant', 'message:output', 'status', 'result'])
    expect(events.find((e) => e.event_type === 'tool_use')!.data).toEqual({ tool_name: 'Write', input: { file_path: 'src/hello.txt', content: 'hello world' } })
    expect(events.find((e) => e.data.role === 'output')!.data.content).toBe('plain line 1\nplain line 2\nplain line 3')
    expect(events.at(-1)!.data).toMatchObject({ status: 'completed', session_id: expect.stringMatching(/^sess-/) })
  })

  it('runs the command with a scrubbed environment', async () => {
    process.env.GATEWAY_SECRET_FOR_TEST = 'must-not-leak'
    const job = await startJob(gw, 'env')
    await waitForState(gw, job.id, ['completed'])
    const message = (await eventsOf(gw, job.id)).find((e) => e.data.role === 'assistant')!
    const names = String(message.data.content).split(',')
    expect(names).not.toContain('GATEWAY_SECRET_FOR_TEST')
    expect(names.filter((n) => /TOKEN|KEY|SECRET|DATABASE/.test(n))).toEqual([])
    expect(names).toEqual(expect.arrayContaining(['HOME', 'PATH', 'JOB_ID', 'WORKSPACE']))
    delete process.env.GATEWAY_SECRET_FOR_TEST
  })

  it('continues the session on a follow-up prompt to a completed job', async () => {
    const job = await startJob(gw, 'write one.txt first')
    const first = await waitForState(gw, job.id, ['completed'])
    const res = await gw.request(`/api/jobs/${job.id}/prompt`, { method: 'POST', json: { content: 'write two.txt second' } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'sent', job_id: job.id })
    await waitFor(async () => (await gw.request(`/api/jobs/${job.id}/files/read?path=two.txt`)).status === 200, 10_000, 'two.txt')
    const second = await waitForState(gw, job.id, ['completed'])
    expect(second.result).toBe('done turn 2')
    expect(second.usage).toEqual({ input_tokens: 20, output_tokens: 10 })
    expect(second.transitions.map((t: { to: string }) => t.to)).toEqual(['pending', 'running', 'completed', 'running', 'completed'])
    const events = await eventsOf(gw, job.id, 2)
    const sessions = events.filter((e) => e.event_type === 'result').map((e) => e.data.session_id)
    expect(sessions).toEqual([sessions[0], sessions[0]])
    expect(events.some((e) => String(e.data.content ?? '').startsWith(`resumed ${sessions[0]}`))).toBe(true)
    expect(first.result).toBe('done turn 1')
  })

  it('queues a follow-up sent while a turn runs, and closes after a done prompt', async () => {
    const marker = `queued-${crypto.randomUUID()}`
    const job = await startJob(gw, `sleep 1 ${marker}; write a.txt a`)
    await waitForState(gw, job.id, ['running'])
    const res = await gw.request(`/api/jobs/${job.id}/prompt`, { method: 'POST', json: { content: 'write b.txt b', done: true } })
    expect(await res.json()).toEqual({ status: 'queued', job_id: job.id })
    const done = await waitForState(gw, job.id, ['completed', 'failed'])
    expect(done).toMatchObject({ state: 'completed', result: 'done turn 2', can_prompt: false })
    expect((await gw.request(`/api/jobs/${job.id}/files/read?path=b.txt`)).status).toBe(200)
    const again = await gw.request(`/api/jobs/${job.id}/prompt`, { method: 'POST', json: { content: 'write c.txt c' } })
    expect(again.status).toBe(409)
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('job_closed')
  })

  it('cancel kills the whole process group: the CLI and the command it started are gone', async () => {
    const marker = `cancel-${crypto.randomUUID()}`
    const job = await startJob(gw, `sleep 60 ${marker}`)
    await waitFor(() => processesWith(marker).length > 0, 10_000, 'the sleeping command')
    const pids = defaultJobs(gw).processIds(job.id)
    expect(pids.length).toBe(1)
    const res = await gw.request(`/api/jobs/${job.id}/cancel`, { method: 'POST' })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'cancelled', job_id: job.id })
    // Gone by the time cancel answered: the group leader and the grandchild with the marker.
    expect(alive(pids[0]!)).toBe(false)
    expect(processesWith(marker)).toEqual([])
    const detail = await waitForState(gw, job.id, ['cancelled'])
    expect(detail).toMatchObject({ can_cancel: false, can_restart: true, can_prompt: false, failure_reason: 'Cancelled by user' })
    expect(detail.transitions.at(-1)).toMatchObject({ from: 'running', to: 'cancelled', reason: 'Cancelled by user' })
    const again = await gw.request(`/api/jobs/${job.id}/cancel`, { method: 'POST' })
    expect(again.status).toBe(409)
    const events = await eventsOf(gw, job.id)
    expect(events.at(-1)!.data).toMatchObject({ status: 'cancelled' })
  })

  it('a failing CLI fails the job with its exit code and stderr; restart retries in the same workspace', async () => {
    const job = await startJob(gw, 'write partial.txt half; fail 3')
    const failed = await waitForState(gw, job.id, ['failed', 'completed'])
    expect(failed.state).toBe('failed')
    expect(failed.failure_reason).toBe('fake exited with code 3: something went wrong')
    expect(failed.can_restart).toBe(true)

    const running = await gw.request(`/api/jobs/${job.id}/restart`, { method: 'POST' })
    expect(running.status).toBe(200)
    const { new_job_id, old_job_id, status } = (await running.json()) as Record<string, string>
    expect({ status, old_job_id }).toEqual({ status: 'restarted', old_job_id: job.id })
    const retried = await waitForState(gw, new_job_id!, ['failed', 'completed'])
    expect(retried).toMatchObject({ restarted_from: job.id, title: job.title })
    expect(retried.description).toBe('Previous attempt failed: fake exited with code 3: something went wrong. Retry: write partial.txt half; fail 3')
    // Same directory: the earlier attempt's file is there, and the CLI saw its turn counter.
    const partial = await gw.request(`/api/jobs/${new_job_id}/files/read?path=partial.txt`)
    expect(((await partial.json()) as { content: string }).content).toBe('half')
  })

  it('restart is refused (409) for a job that is not failed or cancelled', async () => {
    const job = await startJob(gw, 'say ok')
    await waitForState(gw, job.id, ['completed'])
    const res = await gw.request(`/api/jobs/${job.id}/restart`, { method: 'POST' })
    expect(res.status).toBe(409)
    expect(await res.json()).toEqual({ error: { code: 'job_not_restartable', message: "Cannot restart job in state 'completed'" } })
  })

  it('a program that cannot start fails the job clearly', async () => {
    const broken = await jobsGateway({ isolation, jobs: { commands: [{ name: 'missing', argv: ['/nonexistent/agent-cli', '{prompt}'] }] } })
    try {
      const job = await startJob(broken, 'hello')
      const failed = await waitForState(broken, job.id, ['failed', 'completed'])
      expect(failed.state).toBe('failed')
      expect(failed.failure_reason).toMatch(/nonexistent|exited with code/)
    } finally {
      await broken.close()
    }
  })
})

describe.runIf(BWRAP_AVAILABLE)('bubblewrap confinement', () => {
  const lines = async (gw: Gw, id: string, prefix: string) =>
    (await eventsOf(gw, id)).map((e) => String(e.data.content ?? '')).filter((c) => c.startsWith(prefix))

  it('only the workspace is writable; the data directory and other jobs are not even visible', async () => {
    const gw = await jobsGateway({ isolation: 'bwrap' })
    try {
      const dataDir = gw.config.dataDir
      writeFileSync(join(dataDir, 'marker.txt'), 'gateway data')
      const first = await startJob(gw, 'write private.txt first job data')
      await waitForState(gw, first.id, ['completed'])
      const otherFile = join(defaultJobs(gw).workspaceOf({ workspace_id: first.id }), 'private.txt')

      const job = await startJob(gw, `tryread ${join(dataDir, 'marker.txt')}; tryread ${otherFile}; tryescape ${otherFile}; tryescape /etc/gw-owned; tryescape /usr/gw-owned; tryescape /tmp/gw-owned-${process.pid}; tryescape inside.txt`)
      await waitForState(gw, job.id, ['completed'])
      expect(await lines(gw, job.id, 'read')).toEqual([expect.stringMatching(/marker\.txt: refused \(ENOENT\)/), expect.stringMatching(/private\.txt: refused \(ENOENT\)/)])
      expect(await lines(gw, job.id, 'escape')).toEqual([
        expect.stringMatching(/private\.txt: refused/),
        expect.stringMatching(/\/etc\/gw-owned: refused/),
        expect.stringMatching(/\/usr\/gw-owned: refused/),
        // /tmp inside the sandbox is private: the write succeeds there and never reaches the host.
        expect.stringMatching(/gw-owned-\d+: written/),
        'escape inside.txt: written',
      ])
      expect(readFileSync(otherFile, 'utf8')).toBe('first job data')
      expect(existsSync('/etc/gw-owned')).toBe(false)
      expect(existsSync(`/tmp/gw-owned-${process.pid}`)).toBe(false)
      expect(readFileSync(join(defaultJobs(gw).workspaceOf({ workspace_id: job.id }), 'inside.txt'), 'utf8')).toBe('escaped\n')
    } finally {
      await gw.close()
    }
  })
})

describe.runIf(BWRAP_AVAILABLE)('bubblewrap network', () => {
  it('has no network unless the command is allowed it', async () => {
    const server = createServer((socket) => socket.end())
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as AddressInfo).port
    const gw = await jobsGateway({ isolation: 'bwrap', jobs: { commands: [FAKE_CLI, { ...FAKE_CLI, name: 'online', network: true }] } })
    try {
      const offline = await startJob(gw, `tryconnect 127.0.0.1 ${port}`, { command: 'fake' })
      const online = await startJob(gw, `tryconnect 127.0.0.1 ${port}`, { command: 'online' })
      await waitForState(gw, offline.id, ['completed'])
      await waitForState(gw, online.id, ['completed'])
      const said = async (id: string) => (await eventsOf(gw, id)).map((e) => String(e.data.content ?? '')).find((c) => c.startsWith('connect'))
      expect(await said(offline.id)).toMatch(/refused/)
      expect(await said(online.id)).toMatch(/connected/)
    } finally {
      await gw.close()
      server.close()
    }
  })
})

describe('process isolation (no bubblewrap)', () => {
  it('still confines the working directory, environment and process group, and says so in the status', async () => {
    const gw = await jobsGateway({ isolation: 'process' })
    try {
      const status = (await (await gw.request('/api/gateway/status')).json()) as { isolation: string }
      expect(status.isolation).toBe('process')
      const job = await startJob(gw, 'tryescape inside.txt')
      await waitForState(gw, job.id, ['completed'])
      expect(readFileSync(join(defaultJobs(gw).workspaceOf({ workspace_id: job.id }), 'inside.txt'), 'utf8')).toBe('escaped\n')
    } finally {
      await gw.close()
    }
  })
})
