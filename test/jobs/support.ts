import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { findBwrap } from '../../adapters/node/index'
import { bwrapWorks } from '../../adapters/shared/sandbox/bwrap'
import type { JobCommandConfig } from '../../src/config/jobs-config'
import type { Store } from '../../src/index'
import type { GatewayConfigInput } from '../../src/config/gateway-config'
import type { Clock } from '../../src/lib/time'
import { sha256Hex } from '../../src/lib/crypto'
import { TEST_TOKEN, testGateway, waitFor } from '../support/gateway'
import type { JobsService } from '../../src/services/jobs/jobs-service'
import type { Gateway } from '../../src/gateway/gateway'

export const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url))

/** The fake coding-agent CLI (test/fixtures/fake-agent-cli.mjs) as a configured job command. */
export const FAKE_CLI = {
  name: 'fake',
  description: 'a scripted stand-in for a coding-agent CLI',
  argv: [process.execPath, join(FIXTURES, 'fake-agent-cli.mjs'), '-p', '{prompt}'],
  resume_argv: ['--resume', '{session_id}'],
  read_only_paths: [FIXTURES],
  network: false,
  timeout_secs: 60,
} satisfies Partial<JobCommandConfig>

const bwrap = findBwrap()
/** Whether this machine can run bubblewrap sandboxes (CI installs it; tests cover both paths). */
export const BWRAP_AVAILABLE = bwrap !== undefined && bwrapWorks(bwrap)
export const ISOLATIONS: Array<'process' | 'bwrap'> = BWRAP_AVAILABLE ? ['process', 'bwrap'] : ['process']

export const OTHER_TOKEN = 'other-user-token-0123456789abcdef'

type TestGateway = Awaited<ReturnType<typeof testGateway>>

/** A gateway with the fake CLI configured, and a second principal (`bob`) for tenancy checks. */
export interface JobsGatewayOptions {
  isolation?: 'process' | 'bwrap'
  jobs?: Record<string, unknown>
  dataDir?: string
  store?: Store | undefined
  limits?: Record<string, number>
  clock?: Clock
  /** A model provider (`mockLlmConfig(llm)`), for `agent` jobs. */
  llm?: GatewayConfigInput['llm']
}

export async function jobsGateway(options: JobsGatewayOptions = {}): Promise<TestGateway> {
  const gateway = await testGateway({
    ...('store' in options ? { store: options.store } : {}),
    ...(options.clock ? { runtime: { name: 'node', clock: options.clock } } : {}),
    config: {
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.limits ? { limits: options.limits as never } : {}),
      ...(options.llm ? { llm: options.llm } : {}),
      jobs: { isolation: options.isolation ?? 'process', commands: [FAKE_CLI], killGraceMs: 500, ...options.jobs } as never,
    },
  })
  const otherHash = await sha256Hex(OTHER_TOKEN)
  // Bob on top of whatever resolves tokens already (the users subsystem's API tokens).
  const base = gateway.auth.resolver
  gateway.auth.resolver = {
    resolve: async (hash) => (hash === otherHash ? { userId: 'bob', role: 'member', tokenId: 'tok-bob', displayName: 'Bob' } : (base?.resolve(hash) ?? null)),
    resolveId: async (userId, tokenId) => (base?.resolveId ? base.resolveId(userId, tokenId) : null),
  }
  return gateway
}

export async function startJob(gateway: TestGateway, prompt: string, extra: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await gateway.request('/api/jobs', { method: 'POST', json: { prompt, kind: 'command', ...extra } })
  if (res.status !== 201) throw new Error(`start failed: ${res.status} ${await res.text()}`)
  return (await res.json()) as Record<string, any>
}

export async function jobDetail(gateway: TestGateway, id: string, token = TEST_TOKEN): Promise<Record<string, any>> {
  const res = await gateway.request(`/api/jobs/${id}`, { token })
  return (await res.json()) as Record<string, any>
}

export async function waitForState(gateway: TestGateway, id: string, states: string[], timeoutMs = 15_000): Promise<Record<string, any>> {
  let last: Record<string, any> = {}
  await waitFor(async () => {
    last = await jobDetail(gateway, id)
    return states.includes(last.state)
  }, timeoutMs, `job ${id} to reach ${states.join('|')} (last: ${last.state} ${last.failure_reason ?? ''})`)
  return last
}

/** Processes whose command line contains `marker` (a whole-machine check that they are really gone). */
export function processesWith(marker: string): number[] {
  const found: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) found.push(Number(entry))
    } catch {
      // exited while we looked
    }
  }
  return found
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

export type StoredEvent = { id: number; event_type: string; data: Record<string, any> }

/** The job's persisted events, once `ready` holds for them (the final events land just after the state changes). */
export async function eventsWhen(gateway: TestGateway, id: string, ready: (events: StoredEvent[]) => boolean = (events) => events.at(-1)?.event_type === 'result'): Promise<StoredEvent[]> {
  let events: StoredEvent[] = []
  await waitFor(async () => {
    events = ((await (await gateway.request(`/api/jobs/${id}/events`)).json()) as { events: StoredEvent[] }).events
    return ready(events)
  }, 10_000, `events of job ${id}`)
  return events
}

/** The default jobs service of a gateway, for what only it has (process ids, workspace paths). */
export const defaultJobs = (gw: Pick<Gateway, 'services'>): JobsService => gw.services.jobs as JobsService
