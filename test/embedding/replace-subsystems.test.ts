import { afterAll, describe, expect, it } from 'vitest'
import {
  createGateway,
  type ExtensionsPort,
  type Gateway,
  GatewayError,
  type GatewayOptions,
  type JobsPort,
  type LogsPort,
  type MemoryPort,
  type PairingPort,
  PreparedEvent,
  type RoutinesPort,
  type SecretsPort,
  type SettingsPort,
  type SkillsPort,
  type ThreadsPort,
  type TokensPort,
  type TurnRecord,
  type TurnStore,
  type UsagePort,
  type UsersPort,
} from 'agent-gateway'
import type { ApprovalRecord } from '../../src/services/chat/port'
import type { JobListItem } from '../../src/protocol/jobs'
import type { User } from '../../src/protocol/users'
import { EventLog, json, mockLlmConfig } from '../support/agent'
import { MockLlm } from '../support/mock-llm'
import { testStore } from '../support/store'

/**
 * Every subsystem the README says an embedder can replace, replaced by a plain object of the
 * embedder's, on a gateway with no database: the routes (and the agent's tools and context) use
 * it as they use the default.
 */
const TOKEN = 'embedder-owner-token-0123456789abcdef'
const NOW = '2026-01-01T00:00:00.000Z'
const unused = (): never => {
  throw new GatewayError(501, 'not_in_this_test', 'Not used by this test')
}

async function gatewayWith(services: GatewayOptions['services'], options: Omit<GatewayOptions, 'services' | 'config'> & { config?: GatewayOptions['config'] } = {}) {
  const gateway = await createGateway({ ...options, services, config: { authToken: TOKEN, ...(options.config as object) } })
  const request = (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const headers = new Headers(init.headers)
    headers.set('authorization', `Bearer ${TOKEN}`)
    if (init.json !== undefined) headers.set('content-type', 'application/json')
    return Promise.resolve(gateway.app.request(path, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body }))
  }
  return Object.assign(gateway, { request })
}

describe("an embedder's own subsystems", async () => {
  const llm = await MockLlm.start()
  const open: Gateway[] = []
  afterAll(async () => {
    for (const gateway of open) await gateway.close()
    await llm.close()
  })
  const make = async (...args: Parameters<typeof gatewayWith>) => {
    const gateway = await gatewayWith(...args)
    open.push(gateway)
    return gateway
  }

  it('jobs: the list, a job and the isolation shown in the status come from the embedder', async () => {
    const job: JobListItem = { id: crypto.randomUUID(), title: 'mine', state: 'running', kind: 'agent', user_id: 'owner', created_at: NOW, started_at: NOW, completed_at: null }
    const jobs: JobsPort = {
      list: async () => [job],
      summary: async () => ({ total: 1, pending: 0, running: 1, in_progress: 1, completed: 0, failed: 0, cancelled: 0, stuck: 0 }),
      get: unused, create: unused, cancel: unused, restart: unused, prompt: unused, links: unused, listFiles: unused, readFile: unused,
      authorize: unused, events: unused, streamEvents: unused, workspace: unused,
      availableKinds: () => ['agent'],
      isolation: 'embedder-vm',
    }
    const gw = await make({ jobs })
    expect(await json(gw.request('/api/jobs'))).toEqual({ jobs: [job] })
    expect((await json(gw.request('/api/jobs/summary'))).running).toBe(1)
    expect((await json(gw.request('/api/gateway/status'))).isolation).toBe('embedder-vm')
  })

  it('routines: routes and webhook deliveries reach the embedder', async () => {
    const deliveries: string[] = []
    const routines: RoutinesPort = {
      list: async () => [],
      summary: async () => ({ total: 0, enabled: 0, disabled: 0, unverified: 0, failing: 0, runs_today: 0 }),
      detail: unused, create: unused, update: unused, toggle: unused, delete: unused, runs: unused, trigger: unused,
      webhook: async (path, delivery) => {
        deliveries.push(`${path}:${delivery.body}`)
        return { status: 'triggered', routine_id: crypto.randomUUID(), routine_name: 'hook', run_id: crypto.randomUUID() }
      },
    }
    const gw = await make({ routines })
    expect(await json(gw.request('/api/routines'))).toEqual({ routines: [] })
    const res = await gw.app.request('/api/webhooks/my-hook', { method: 'POST', body: 'payload' })
    expect(res.status).toBe(200)
    expect(deliveries).toEqual(['my-hook:payload'])
  })

  it("usage: the embedder's ledger decides the budget and reports the spend", async () => {
    const usage: UsagePort = {
      assertWithinBudget: async () => {
        throw new GatewayError(429, 'budget_exceeded', 'Over the embedder budget')
      },
      record: async () => undefined,
      totals: async () => ({ input_tokens: 10, output_tokens: 5, cost_usd: '1.250000', calls: 1 }),
      byModel: async () => [{ model: 'm', input_tokens: 10, output_tokens: 5, cost: '1.250000' }],
      byUser: async () => [],
      byUserAndModel: async () => [],
      deleteUser: async () => undefined,
    }
    const gw = await make({ usage }, { agent: { onMessage: () => undefined } })
    const sent = await gw.request('/api/chat/send', { method: 'POST', json: { content: 'hi' } })
    expect(sent.status).toBe(429)
    expect((await json(sent)).error.code).toBe('budget_exceeded')
    expect((await json(gw.request('/api/gateway/status'))).daily_cost).toBe('1.2500')
  })

  it('threads: an embedder resolves threads and the default agent still answers, through the default TurnStore', async () => {
    const threadId = crypto.randomUUID()
    const resolved: string[] = []
    const threads: ThreadsPort = {
      resolveThread: async (_userId, given, first) => {
        resolved.push(first)
        return given ?? threadId
      },
      createThread: unused, listThreads: unused, history: unused, historyJson: unused,
    }
    const gw = await make({ threads }, { store: await testStore(), config: { authToken: TOKEN, llm: mockLlmConfig(llm) } })
    expect(gw.defaultAgent).toBeDefined()
    const log = new EventLog(gw)
    llm.text('answered in the embedder thread')
    const sent = await json(gw.request('/api/chat/send', { method: 'POST', json: { content: 'question' } }))
    expect(sent.thread_id).toBe(threadId)
    expect((await log.next('response', (e) => e.thread_id === threadId)).content).toBe('answered in the embedder thread')
    expect(resolved).toEqual(['question'])
  })

  it("turns: with the embedder's TurnStore the default agent runs without any database", async () => {
    const turns = new MemoryTurns()
    const threadId = crypto.randomUUID()
    const gw = await make({ turns }, { config: { authToken: TOKEN, llm: mockLlmConfig(llm) } })
    expect(gw.store).toBeUndefined()
    expect(gw.defaultAgent).toBeDefined()
    llm.text('no database needed')
    const outcome = await gw.defaultAgent!.runMessage({ id: crypto.randomUUID(), userId: 'owner', threadId, content: 'hello', images: [], source: 'api', receivedAt: NOW })
    expect(outcome).toMatchObject({ status: 'completed', text: 'no database needed' })
    expect([...turns.turns.values()]).toMatchObject([{ thread_id: threadId, user_input: 'hello', state: 'completed', response: 'no database needed', seq: 0 }])
  })

  it("memory: the routes and the agent's memory tools use the embedder's workspace", async () => {
    const memory: MemoryPort = {
      tree: async () => ({ entries: [{ path: 'notes.md', is_dir: false }] }),
      list: unused, read: unused, write: unused, delete: unused, move: unused, search: unused, status: unused,
    }
    const gw = await make({ memory })
    expect((await json(gw.request('/api/memory/tree'))).entries).toEqual([{ path: 'notes.md', is_dir: false }])
    const tools = (await json(gw.request('/api/extensions/tools'))).tools.map((t: { name: string }) => t.name)
    expect(tools).toEqual(expect.arrayContaining(['memory_tree', 'memory_read', 'memory_write', 'memory_search']))
  })

  it("skills: the list and the agent's per-message context come from the embedder", async () => {
    const skills: SkillsPort = {
      list: async () => [{ name: 'mine', description: 'an embedder skill', version: '1', trust: 'trusted', source: { kind: 'shared', relative_path: 'mine' }, keywords: [] }],
      search: unused, install: unused, remove: unused,
      contextFor: async (_userId, message) => `embedder context for ${message}`,
    }
    const gw = await make({ skills })
    expect((await json(gw.request('/api/skills'))).skills.map((s: { name: string }) => s.name)).toEqual(['mine'])
    const contributions = await gw.contextContributors.collect({ userId: 'owner', threadId: crypto.randomUUID(), message: 'hi', signal: new AbortController().signal })
    expect(contributions).toEqual([{ name: 'skills', text: 'embedder context for hi' }])
  })

  it('extensions: the list and the OAuth callback page come from the embedder', async () => {
    const extensions: ExtensionsPort = {
      list: async () => [],
      registry: unused, install: unused, activate: unused, remove: unused, setupInfo: unused, setup: unused,
      completeOAuth: async () => ({ ok: true, title: 'Connected by the embedder', message: 'done', redirectAfter: '/' }),
      submitToken: unused,
      cancelAuth: unused,
    }
    const gw = await make({ extensions })
    expect(await json(gw.request('/api/extensions'))).toEqual({ extensions: [] })
    const page = await gw.app.request('/oauth/callback?state=abcdefghijklmnopqrstuvwx&code=c')
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('Connected by the embedder')
  })

  it('settings, logs, pairing, users, tokens and secrets: each route reads the embedder object', async () => {
    const user: User = {
      id: 'owner', email: null, display_name: 'Embedder Owner', status: 'active', role: 'admin', is_owner: true,
      created_at: NOW, updated_at: NOW, last_login_at: null, created_by: null, metadata: {},
    }
    const settings: SettingsPort = {
      list: async () => [{ key: 'theme', value: 'dark', updated_at: NOW }],
      get: unused, set: unused, delete: unused, export: unused, import: unused,
    }
    const logs: LogsPort = {
      state: () => ({ level: 'warn', changed_by: 'embedder', changed_at: NOW }),
      setLevel: unused,
      // The route opens the response through the gateway's SSE writer; the embedder only writes.
      reserveStream: () => ({
        queue: 8,
        follow: (sink) => {
          const line = { level: 'INFO', target: 'embedder', message: 'from the embedder', timestamp: NOW }
          sink.write(new PreparedEvent(0, null, 'log', JSON.stringify(line), false))
          sink.close()
        },
        release: () => undefined,
      }),
      openStreams: 0,
    }
    const pairing: PairingPort = {
      list: async () => [{ code: 'ABCD2345', sender_id: 'sender', meta: null, created_at: NOW, expires_at: NOW }] as never,
      request: unused, approve: unused, lookup: unused, unpair: unused,
    }
    const users: UsersPort = {
      ownerId: 'owner',
      list: async () => [user],
      get: async (id) => (id === 'owner' ? user : undefined),
      create: unused, update: unused, setStatus: unused, delete: unused, updateProfile: unused,
    }
    const tokens: TokensPort = { list: async () => [], ofUser: async () => [], create: unused, revoke: unused }
    const secrets: SecretsPort = {
      list: async () => [{ name: 'api-key', provider: 'embedder', expires_at: null, created_at: NOW, updated_at: NOW }],
      get: unused, set: unused, delete: unused,
    }
    const gw = await make({ settings, logs, pairing, users, tokens, secrets })
    expect((await json(gw.request('/api/settings'))).settings).toEqual([{ key: 'theme', value: 'dark', updated_at: NOW }])
    expect((await json(gw.request('/api/logs/level'))).changed_by).toBe('embedder')
    const stream = await gw.request('/api/logs/events')
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(await stream.text()).toContain('event: log\ndata: {"level":"INFO","target":"embedder","message":"from the embedder"')
    expect((await json(gw.request('/api/pairing/telegram'))).requests).toHaveLength(1)
    expect((await json(gw.request('/api/admin/users'))).users).toEqual([user])
    expect((await json(gw.request('/api/auth/whoami'))).display_name).toBe('Embedder Owner')
    expect(await json(gw.request('/api/tokens'))).toEqual({ tokens: [] })
    expect((await json(gw.request('/api/admin/users/owner/secrets'))).secrets.map((s: { name: string }) => s.name)).toEqual(['api-key'])
  })
})

/** A TurnStore in memory: what an embedder with its own storage writes for the default agent. */
class MemoryTurns implements TurnStore {
  readonly turns = new Map<string, TurnRecord>()
  readonly approvals = new Map<string, ApprovalRecord>()

  async startTurn(turn: Omit<TurnRecord, 'seq' | 'image_count'>): Promise<TurnRecord> {
    const seq = [...this.turns.values()].filter((t) => t.thread_id === turn.thread_id).length
    const started = { ...turn, seq, image_count: turn.images.length }
    this.turns.set(turn.id, started)
    return started
  }
  async resumeTurn(turnId: string): Promise<void> {
    this.#patch(turnId, { state: 'processing' })
  }
  async settleTurn(turn: Pick<TurnRecord, 'id'>, patch: Partial<TurnRecord>): Promise<void> {
    this.#patch(turn.id, patch)
  }
  async pauseTurn(turnId: string, patch: Partial<TurnRecord>, approval: ApprovalRecord): Promise<void> {
    this.#patch(turnId, { ...patch, state: 'awaiting_approval' })
    this.approvals.set(approval.request_id, approval)
  }
  async getTurn(turnId: string) {
    return this.turns.get(turnId)
  }
  async activeTurn(threadId: string) {
    return [...this.turns.values()].find((t) => t.thread_id === threadId && (t.state === 'processing' || t.state === 'awaiting_approval'))
  }
  async turnsBefore(threadId: string, options: { beforeSeq: number; limit: number }) {
    return [...this.turns.values()].filter((t) => t.thread_id === threadId && t.seq < options.beforeSeq).reverse().slice(0, options.limit)
  }
  // One process holds this store: its turns are always its own, and none is ever left by a dead one.
  async renewLeases(turnIds: string[]): Promise<Set<string>> {
    return new Set(turnIds)
  }
  async interruptStaleTurns(): Promise<never[]> {
    return []
  }
  async expireApprovalsOf(): Promise<never[]> {
    return []
  }
  async getApproval(requestId: string) {
    return this.approvals.get(requestId)
  }
  async pendingApproval(threadId: string) {
    return [...this.approvals.values()].find((a) => a.thread_id === threadId && a.status === 'pending')
  }
  async resolveApproval(requestId: string, status: Exclude<ApprovalRecord['status'], 'pending'>): Promise<boolean> {
    const approval = this.approvals.get(requestId)
    if (approval?.status !== 'pending') return false
    approval.status = status
    return true
  }
  async isAlwaysAllowed(): Promise<boolean> {
    return false
  }
  async allowAlways(): Promise<void> {}
  streamed(): void {}
  streamEnded(): void {}

  #patch(turnId: string, patch: Partial<TurnRecord>): void {
    const turn = this.turns.get(turnId)
    if (turn) this.turns.set(turnId, { ...turn, ...patch })
  }
}
