import { afterAll, describe, expect, it } from 'vitest'
import { DefaultAgent } from '../../src/exports/agent'
import type { Gateway } from '../../src/index'
import { ThreadService } from '../../src/services/chat/thread-service'
import { agentGateway, EventLog, json } from '../support/agent'
import { MockLlm } from '../support/mock-llm'

/** Another default agent on the same database, as a second gateway instance on PostgreSQL would run. */
const otherInstance = (gw: Gateway, clockOffsetMs: number) =>
  DefaultAgent.create({
    channel: gw.channel,
    turns: gw.services.turns!,
    tools: gw.tools,
    contributors: gw.contextContributors,
    llm: () => undefined,
    usage: () => undefined,
    config: gw.config.agent,
    maxTokens: 100,
    clock: { now: () => Date.now() + clockOffsetMs },
    exclusive: false,
    bus: gw.hub.bus,
  })

describe('turn leases (several instances on one database)', async () => {
  const llm = await MockLlm.start()
  afterAll(() => llm.close())

  it('a cancel received by another instance reaches the one running the turn', async () => {
    const gw = await agentGateway(llm)
    const log = new EventLog(gw)
    llm.reply({ kind: 'hang', afterChunks: ['partial'] })
    const { thread_id } = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'long one' } }))
    await log.next('stream_chunk', (e) => e.thread_id === thread_id)
    const other = await otherInstance(gw, 0)
    expect(await other.onCancel({ userId: 'someone-else', threadId: thread_id })).toBe(false)
    expect(await other.onCancel({ userId: 'owner', threadId: thread_id })).toBe(true)
    expect((await log.next('turn_cancelled', (e) => e.thread_id === thread_id)).message).toBe('Stopped by the user')
    await other.close()
    await gw.close()
  })

  it('leaves a running turn alone while its lease lives, and marks it interrupted once the lease ran out', async () => {
    const gw = await agentGateway(llm, { llm: { timeoutMs: 10_000 } })
    expect(gw.services.threads).toBeInstanceOf(ThreadService)
    const log = new EventLog(gw)
    llm.reply({ kind: 'hang', afterChunks: ['partial'] })
    const { thread_id } = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'long one' } }))
    await log.next('stream_chunk', (e) => e.thread_id === thread_id)

    const alive = await otherInstance(gw, 0)
    const before = await json(gw.request(`/api/chat/history?thread_id=${thread_id}`))
    expect(before.in_progress).toMatchObject({ state: 'processing', response_so_far: 'partial' })
    // This instance's own sweep never takes its running turn, even with the lease lapsed.
    expect(await gw.defaultAgent!.sweep()).toBe(0)
    expect(log.of('turn_interrupted')).toEqual([])
    // A pending approval left on the running turn (its instance died mid-answer): it must not outlive the turn.
    const requestId = crypto.randomUUID()
    await gw.store!.db.insertInto('chat_approvals').values({
      request_id: requestId, user_id: 'owner', thread_id, turn_id: before.in_progress.turn_id, call_id: 'call-1', tool_name: 'http_fetch',
      description: 'Fetch a page', parameters: '{}', status: 'pending', created_at: new Date().toISOString(), resolved_at: null,
    }).execute()
    // Ten minutes later by this instance's clock, nobody renewed the lease: its owner is gone.
    const later = await otherInstance(gw, 10 * 60_000)
    const history = await json(gw.request(`/api/chat/history?thread_id=${thread_id}`))
    expect(history.turns[0]).toMatchObject({ state: 'interrupted', error: 'The gateway running this turn stopped before it finished' })
    expect(history.in_progress).toBeNull()
    expect(history.pending_approval).toBeNull()
    // Its watchers are told, once: the approval expired, then the turn ended.
    expect(log.of('approval_expired', thread_id)).toEqual([expect.objectContaining({ request_id: requestId, tool_name: 'http_fetch', message: 'The gateway running this turn stopped before it finished' })])
    expect(log.of('approval_resolved', thread_id)).toEqual([])
    expect(log.of('turn_interrupted', thread_id)).toEqual([
      expect.objectContaining({ turn_id: before.in_progress.turn_id, user_input: 'long one', message: 'The gateway running this turn stopped before it finished' }),
    ])
    expect(log.types(thread_id).slice(-2)).toEqual(['approval_expired', 'turn_interrupted'])
    expect(await later.sweep()).toBe(0)
    expect(log.of('turn_interrupted', thread_id)).toHaveLength(1)
    // The instance running it was only slow: at its next renewal it finds the turn taken and stops
    // it (the model stream, which would hang forever, is abandoned) without answering after the
    // user was told it ended.
    expect(gw.defaultAgent!.isRunning(thread_id)).toBe(true)
    await gw.defaultAgent!.heartbeat()
    await gw.defaultAgent!.idle()
    expect(gw.defaultAgent!.isRunning(thread_id)).toBe(false)
    expect(log.of('turn_cancelled', thread_id)).toEqual([])
    expect(log.of('response', thread_id)).toEqual([])
    expect((await json(gw.request(`/api/chat/history?thread_id=${thread_id}`))).turns[0]).toMatchObject({
      state: 'interrupted', error: 'The gateway running this turn stopped before it finished',
    })
    await alive.close()
    await later.close()
    await gw.close()
  })
})
