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
    expect((await json(gw.request(`/api/chat/history?thread_id=${thread_id}`))).in_progress).toMatchObject({ state: 'processing', response_so_far: 'partial' })
    // Ten minutes later by this instance's clock, nobody renewed the lease: its owner is gone.
    const later = await otherInstance(gw, 10 * 60_000)
    const history = await json(gw.request(`/api/chat/history?thread_id=${thread_id}`))
    expect(history.turns[0]).toMatchObject({ state: 'interrupted', error: 'The gateway stopped while this turn was running' })
    expect(history.in_progress).toBeNull()
    await alive.close()
    await later.close()
    await gw.close()
  })
})
