const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1'])

const isLoopbackHost = (host: string): boolean =>
  LOOPBACK_HOSTS.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host)

/**
 * The one list of origins allowed to talk to the gateway from a browser, shared by CORS and the
 * WebSocket Origin check: the gateway's own origin (same host and port as the request), the
 * listening address, `http://localhost:PORT`, and `GATEWAY_ALLOWED_ORIGINS`.
 */
export class OriginPolicy {
  readonly #configured: ReadonlySet<string>
  #listen = new Set<string>()
  #loopbackBind = false
  #extraHosts = new Set<string>()
  /** Verdicts by Host header: parsed once, not on every request. Bounded against made-up hosts. */
  readonly #hostVerdicts = new Map<string, boolean>()

  constructor(configured: readonly string[] = []) {
    this.#configured = new Set(configured.map(normalizeOrigin).filter((o): o is string => o !== null))
    for (const origin of this.#configured) this.#extraHosts.add(new URL(origin).hostname.toLowerCase())
  }

  /** Called by the adapter once the real port is known (port 0 = any free port). */
  setListenAddress(host: string, port: number): void {
    const origins = new Set<string>([`http://localhost:${port}`, `http://127.0.0.1:${port}`, `http://[::1]:${port}`])
    if (host !== '0.0.0.0' && host !== '::') origins.add(`http://${host.includes(':') ? `[${host}]` : host}:${port}`)
    this.#listen = origins
    this.#loopbackBind = isLoopbackHost(host)
    this.#hostVerdicts.clear()
  }

  /** Whether a browser page at `origin` may call the gateway that received `requestUrl`. */
  allows(origin: string | undefined, requestUrl: string): boolean {
    if (!origin) return false
    const normalized = normalizeOrigin(origin)
    if (normalized === null) return false
    if (this.#configured.has(normalized) || this.#listen.has(normalized)) return true
    return normalized === new URL(requestUrl).origin
  }

  /**
   * DNS-rebinding guard: on a loopback bind, a request must name a loopback host (or a host from
   * the configured origins). A page on `evil.example` resolved to 127.0.0.1 is refused.
   */
  allowsHost(hostHeader: string | undefined): boolean {
    if (!this.#loopbackBind) return true
    if (!hostHeader) return false
    let allowed = this.#hostVerdicts.get(hostHeader)
    if (allowed === undefined) {
      const hostname = hostOf(hostHeader)
      allowed = hostname !== null && (isLoopbackHost(hostname) || this.#extraHosts.has(hostname))
      if (this.#hostVerdicts.size >= 64) this.#hostVerdicts.clear()
      this.#hostVerdicts.set(hostHeader, allowed)
    }
    return allowed
  }
}

function normalizeOrigin(origin: string): string | null {
  try {
    const url = new URL(origin)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
    if (url.origin === 'null') return null
    return url.origin
  } catch {
    return null
  }
}

function hostOf(hostHeader: string): string | null {
  try {
    return new URL(`http://${hostHeader}`).hostname.toLowerCase()
  } catch {
    return null
  }
}
