import { existsSync } from 'node:fs'
import { dirname } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Store } from '../../src/index'
import { JobRepository } from '../../src/services/jobs/job-repository'
import { tempDir, testStore } from '../support/store'
import { waitFor } from '../support/gateway'
import { alive, defaultJobs, jobsGateway, processesWith, startJob, waitForState } from './support'

/** The same database for a second gateway: the first one's close() must not close it. */
const borrowed = (store: Store): Store => ({ ...store, close: async () => undefined })

function orphanRow(id: string, status: 'running' | 'pending', prompt: string) {
  const now = new Date().toISOString()
  return {
    id,
    user_id: 'owner',
    title: prompt,
    prompt,
    kind: 'command' as const,
    command: 'fake',
    status,
    workspace_id: id,
    thread_id: null,
    restarted_from: null,
    session_id: null,
    result: null,
    failure_reason: null,
    input_tokens: 0,
    output_tokens: 0,
    transitions: [{ from: null, to: 'pending' as const, timestamp: now, reason: null }],
    conversation: [],
    prompts_closed: false,
    runner_id: status === 'running' ? 'a-gateway-that-died' : null,
    heartbeat_at: null,
    created_at: now,
    updated_at: now,
    started_at: status === 'running' ? now : null,
    completed_at: null,
  }
}

describe('jobs across gateway restarts', () => {
  it('a stopping gateway kills its jobs and marks them failed; the next start fails orphans and runs pending jobs', async () => {
    const store = await testStore()
    const dataDir = tempDir()
    const first = await jobsGateway({ store: borrowed(store), dataDir })
    const marker = `stop-${crypto.randomUUID()}`
    const running = await startJob(first, `sleep 60 ${marker}`)
    await waitFor(() => processesWith(marker).length > 0, 10_000, 'the running command')
    const [pid] = defaultJobs(first).processIds(running.id)
    await first.close()
    expect(alive(pid!)).toBe(false)
    expect(processesWith(marker)).toEqual([])

    // What a crash leaves behind: a job still "running" with nobody running it, and one queued.
    const repo = new JobRepository(store.db)
    const orphanId = crypto.randomUUID()
    const queuedId = crypto.randomUUID()
    await repo.insert(orphanRow(orphanId, 'running', 'crashed mid-way'))
    await repo.insert(orphanRow(queuedId, 'pending', 'write resumed.txt yes'))

    const second = await jobsGateway({ store, dataDir })
    try {
      const stopped = await waitForState(second, running.id, ['failed'])
      expect(stopped.failure_reason).toBe('gateway stopped')
      expect(stopped.can_restart).toBe(true)
      const orphan = await waitForState(second, orphanId, ['failed'])
      expect(orphan.failure_reason).toBe('gateway restarted')
      expect(orphan.transitions.at(-1)).toMatchObject({ from: 'running', to: 'failed', reason: 'gateway restarted' })
      const events = ((await (await second.request(`/api/jobs/${orphanId}/events`)).json()) as { events: Array<{ event_type: string; data: Record<string, unknown> }> }).events
      expect(events.at(-1)).toMatchObject({ event_type: 'result', data: { status: 'failed' } })
      const resumed = await waitForState(second, queuedId, ['completed', 'failed'])
      expect(resumed.state).toBe('completed')
      expect((await second.request(`/api/jobs/${queuedId}/files/read?path=resumed.txt`)).status).toBe(200)
      // And the stopped job can be retried where it left off.
      const retry = await second.request(`/api/jobs/${running.id}/restart`, { method: 'POST' })
      expect(retry.status).toBe(200)
      const { new_job_id } = (await retry.json()) as { new_job_id: string }
      const cancel = await second.request(`/api/jobs/${new_job_id}/cancel`, { method: 'POST' })
      expect([200, 409]).toContain(cancel.status)
    } finally {
      await second.close()
    }
  })

  it('runs at most maxRunningPerUser jobs of a user at once; the rest wait as pending and can be cancelled', async () => {
    const gw = await jobsGateway({ jobs: { maxRunningPerUser: 1 } })
    try {
      const marker = `queue-${crypto.randomUUID()}`
      const a = await startJob(gw, `sleep 60 ${marker}`)
      const b = await startJob(gw, 'say second')
      await waitForState(gw, a.id, ['running'])
      expect((await (await gw.request(`/api/jobs/${b.id}`)).json()) as Record<string, unknown>).toMatchObject({ state: 'pending', can_cancel: true })
      const summary = await (await gw.request('/api/jobs/summary')).json()
      expect(summary).toMatchObject({ running: 1, in_progress: 1, pending: 1, total: 2 })
      // A follow-up to a pending job waits for it to start.
      const early = await gw.request(`/api/jobs/${b.id}/prompt`, { method: 'POST', json: { content: 'say early' } })
      expect(await early.json()).toEqual({ status: 'queued', job_id: b.id })
      expect((await gw.request(`/api/jobs/${a.id}/cancel`, { method: 'POST' })).status).toBe(200)
      const done = await waitForState(gw, b.id, ['completed'])
      expect(done.result).toBe('done turn 2')
      const c = await startJob(gw, `sleep 60 ${marker}`)
      // Waiting jobs per user are capped.
      const capped = await jobsGateway({ jobs: { maxRunningPerUser: 1, maxPendingPerUser: 1 } })
      try {
        const first = await startJob(capped, `sleep 60 ${marker}`)
        await waitForState(capped, first.id, ['running'])
        await startJob(capped, 'say queued')
        const over = await capped.request('/api/jobs', { method: 'POST', json: { prompt: 'say too many', kind: 'command' } })
        expect(over.status).toBe(429)
        expect(over.headers.get('retry-after')).toBe('30')
      } finally {
        await capped.close()
      }
      const d = await startJob(gw, 'say never')
      expect((await gw.request(`/api/jobs/${d.id}/cancel`, { method: 'POST' })).status).toBe(200)
      expect((await (await gw.request(`/api/jobs/${d.id}`)).json()) as Record<string, unknown>).toMatchObject({ state: 'cancelled' })
      expect((await gw.request(`/api/jobs/${c.id}/cancel`, { method: 'POST' })).status).toBe(200)
      expect(processesWith(marker)).toEqual([])
    } finally {
      await gw.close()
    }
  })

  it('deleting a user erases their jobs, events and workspaces, and stops their processes', async () => {
    const gw = await jobsGateway()
    try {
      const marker = `delete-${crypto.randomUUID()}`
      const done = await startJob(gw, 'write keep.txt x')
      await waitForState(gw, done.id, ['completed'])
      const busy = await startJob(gw, `sleep 60 ${marker}`)
      await waitFor(() => processesWith(marker).length > 0, 10_000, 'the running command')
      const workspace = defaultJobs(gw).workspaceOf({ workspace_id: done.id })
      expect(existsSync(workspace)).toBe(true)
      await defaultJobs(gw).deleteUser('owner')
      expect(processesWith(marker)).toEqual([])
      expect(existsSync(dirname(workspace))).toBe(false)
      expect((await gw.request(`/api/jobs/${done.id}`)).status).toBe(404)
      expect((await gw.request(`/api/jobs/${busy.id}`)).status).toBe(404)
      const left = await gw.store!.db.selectFrom('job_events').select('id').where('user_id', '=', 'owner').execute()
      expect(left).toEqual([])
    } finally {
      await gw.close()
    }
  })

  it('a real member account: their jobs are theirs alone, and deleting the account erases them', async () => {
    const gw = await jobsGateway()
    try {
      const createdBy = await gw.request('/api/admin/users', { method: 'POST', json: { display_name: 'Ann' } })
      expect(createdBy.status).toBe(201)
      const ann = (await createdBy.json()) as { id: string; token: string }
      const res = await gw.request('/api/jobs', { method: 'POST', token: ann.token, json: { prompt: 'write ann.txt hers', kind: 'command' } })
      expect(res.status).toBe(201)
      const job = (await res.json()) as { id: string; user_id: string }
      expect(job.user_id).toBe(ann.id)
      expect((await gw.request(`/api/jobs/${job.id}`)).status).toBe(404)
      expect((await gw.request(`/api/jobs/${job.id}`, { token: ann.token })).status).toBe(200)
      await waitFor(async () => ((await (await gw.request(`/api/jobs/${job.id}`, { token: ann.token })).json()) as { state: string }).state === 'completed', 10_000, 'Ann\'s job')
      const workspace = defaultJobs(gw).workspaceOf({ workspace_id: job.id })
      expect(existsSync(workspace)).toBe(true)
      expect((await gw.request(`/api/admin/users/${ann.id}`, { method: 'DELETE' })).status).toBeLessThan(300)
      expect(existsSync(dirname(workspace))).toBe(false)
      const rows = await gw.store!.db.selectFrom('jobs').select('id').where('user_id', '=', ann.id).execute()
      expect(rows).toEqual([])
    } finally {
      await gw.close()
    }
  })
})
