import { getLogger } from '@logtape/logtape'
import type { Hono } from 'hono'
import type { Gateway } from '../../src/gateway/gateway'
import type { GatewayConfig } from '../../src/config/gateway-config'
import type { GatewayEnv } from '../../src/ports/env'
import { standbyApp } from '../../src/gateway/standby-app'
import { OriginPolicy } from '../../src/middleware/origin-policy'
import { isDatabaseUnavailable } from '../../src/store/unavailable'
import type { ServableGateway } from './served-gateway'

const log = getLogger(['gateway', 'store'])

export interface StartRetryOptions {
  /** First delay before trying again; doubles per failed attempt up to `maxBackoffMs` (±20% jitter). */
  minBackoffMs?: number
  maxBackoffMs?: number
}

/**
 * Creates the gateway with `create`. When that fails because its database cannot be reached (a
 * PostgreSQL that is down, or starts after the gateway under docker-compose or systemd), the
 * gateway is not given up on: a `StartingGateway` stands in for it, to be served at once, and
 * keeps trying. Any other failure (a migration that fails, a data dir another gateway holds) is
 * thrown as before.
 *
 * @example
 * ```ts
 * const config = loadConfig(process.env)
 * const gateway = await startGateway(config, () => createGateway({ config })) // serves 503 until PostgreSQL is up
 * await serveGateway(gateway)
 * ```
 */
export async function startGateway(config: GatewayConfig, create: () => Promise<Gateway>, options: StartRetryOptions = {}): Promise<Gateway | StartingGateway> {
  try {
    return await create()
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error
    return new StartingGateway(config, create, error, options)
  }
}

/**
 * Serves 503 `database_unavailable` for every request, health included (`standbyApp`), while it
 * creates the gateway again with exponential backoff; once that succeeds, every request goes to
 * the gateway. The server, its address and its port stay the same throughout: no restart, no
 * crash loop, nothing for a supervisor to do.
 */
export class StartingGateway implements ServableGateway {
  /**
   * The gateway once created (requests go to it from then on); `undefined` when closed before.
   * Rejects when an attempt fails for another reason than the database being unreachable.
   */
  readonly ready: Promise<Gateway | undefined>
  readonly origins: Pick<OriginPolicy, 'setListenAddress'>
  readonly #standbyOrigins: OriginPolicy
  readonly #standby: Hono<GatewayEnv>
  #gateway: Gateway | undefined
  #listen: [host: string, port: number] | undefined
  #closed = false
  #timer: ReturnType<typeof setTimeout> | undefined
  #wake: (() => void) | undefined

  constructor(
    readonly config: GatewayConfig,
    create: () => Promise<Gateway>,
    firstError: unknown,
    options: StartRetryOptions = {},
  ) {
    this.#standbyOrigins = new OriginPolicy(config.allowedOrigins)
    this.#standby = standbyApp(this.#standbyOrigins)
    this.origins = {
      setListenAddress: (host, port) => {
        this.#listen = [host, port]
        this.#standbyOrigins.setListenAddress(host, port)
        this.#gateway?.origins.setListenAddress(host, port)
      },
    }
    this.ready = this.#retry(create, firstError, options)
    // The caller decides what a failure means; it must not be an unhandled rejection meanwhile.
    this.ready.catch(() => undefined)
  }

  /** Whether the gateway is created and serving. */
  get started(): boolean {
    return this.#gateway !== undefined
  }

  readonly fetch = (request: Request, env?: unknown, ctx?: unknown): Response | Promise<Response> =>
    this.#gateway ? this.#gateway.fetch(request, env, ctx) : this.#standby.fetch(request, env)

  async close(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#timer)
    this.#wake?.()
    await this.#gateway?.close()
  }

  async #retry(create: () => Promise<Gateway>, firstError: unknown, options: StartRetryOptions): Promise<Gateway | undefined> {
    const { minBackoffMs = 250, maxBackoffMs = 5_000 } = options
    let error = firstError
    let reported: string | undefined
    for (let attempt = 0; ; attempt++) {
      const delay = Math.round(Math.min(maxBackoffMs, minBackoffMs * 2 ** attempt) * (0.8 + Math.random() * 0.4))
      // Once per kind of failure, not once per attempt: the database may take hours to come back.
      const why = reason(error)
      if (why !== reported) log.warn('the database cannot be reached ({why}): answering 503 and trying again with backoff', { why })
      else log.debug('the database cannot be reached ({why}): trying again in {delay} ms', { why, delay })
      reported = why
      await new Promise<void>((resolve) => {
        this.#wake = resolve
        this.#timer = setTimeout(resolve, delay)
      })
      if (this.#closed) return undefined
      try {
        const gateway = await create()
        if (this.#closed) {
          await gateway.close()
          return undefined
        }
        if (this.#listen) gateway.origins.setListenAddress(...this.#listen)
        this.#gateway = gateway
        log.info('the database is reachable: the gateway is ready')
        return gateway
      } catch (thrown) {
        if (!isDatabaseUnavailable(thrown)) throw thrown
        error = thrown
      }
    }
  }
}

/**
 * The first error code in the chain (`ECONNREFUSED`, `57P03`...), else the innermost message:
 * not the outer messages, which can name the host and port (logs reach admins' log streams).
 */
function reason(error: unknown): string {
  let current = error
  let message = 'unknown error'
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') return code
    if (current instanceof Error) message = current.message
    current = (current as { cause?: unknown }).cause
  }
  return message
}
