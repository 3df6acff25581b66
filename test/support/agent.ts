import type { Gateway } from '../../adapters/node/index'
import type { GatewayConfigInput } from '../../src/config/gateway-config'
import type { AppEvent } from '../../src/protocol/events'
import type { MockLlm } from './mock-llm'
import { testGateway } from './gateway'

/** The upstream key the tests configure; it must never appear in anything the gateway sends. */
export const UPSTREAM_KEY = 'sk-upstream-secret-0123456789abcdef'

export type LlmOptions = Partial<NonNullable<GatewayConfigInput['llm']>>

/** `config.llm` pointing at a mock server, with short timeouts and retry delays so failure tests are fast. */
export const mockLlmConfig = (llm: MockLlm, overrides: LlmOptions = {}): NonNullable<GatewayConfigInput['llm']> => ({
  backend: 'openai_compatible',
  baseUrl: llm.url,
  apiKey: UPSTREAM_KEY,
  model: 'mock-model',
  timeoutMs: 3_000,
  maxRetries: 1,
  retryBaseDelayMs: 20,
  ...overrides,
})

type TestGateway = Awaited<ReturnType<typeof testGateway>>

/** A test gateway (store + default agent) talking to the mock LLM. */
export async function agentGateway(llm: MockLlm, options: Parameters<typeof testGateway>[0] & { llm?: LlmOptions } = {}): Promise<TestGateway> {
  const { llm: overrides, config, ...rest } = options
  return testGateway({ ...rest, config: { ...config, llm: mockLlmConfig(llm, overrides) } })
}

type Recorded = AppEvent & { userId: string | null }

/** Records every event the gateway publishes (all users), for `app.request()` tests. */
export class EventLog {
  readonly events: Recorded[] = []
  #waiters: Array<() => void> = []

  constructor(gateway: Gateway) {
    gateway.hub.bus.onEvent((e) => {
      this.events.push({ ...(JSON.parse(e.json) as AppEvent), userId: e.userId })
      for (const w of this.#waiters.splice(0)) w()
    })
  }

  of<T extends AppEvent['type']>(type: T, threadId?: string): Array<Extract<Recorded, { type: T }>> {
    return this.events.filter((e) => e.type === type && (threadId === undefined || (e as { thread_id?: string }).thread_id === threadId)) as never
  }

  async next<T extends AppEvent['type']>(type: T, predicate: (e: Extract<Recorded, { type: T }>) => boolean = () => true, timeoutMs = 8_000): Promise<Extract<Recorded, { type: T }>> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.of(type).find(predicate)
      if (found) return found
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out waiting for ${type}; saw ${this.events.map((e) => e.type).join(',')}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  /** Types in order, for one thread. */
  types(threadId: string): string[] {
    return this.events.filter((e) => (e as { thread_id?: string }).thread_id === threadId).map((e) => e.type)
  }
}

export const json = async <T = Record<string, any>>(res: Response | Promise<Response>): Promise<T> => (await (await res).json()) as T
