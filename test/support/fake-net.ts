import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer as createHttpServer, globalAgent as httpGlobalAgent, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer, globalAgent } from 'node:https'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fetchPinned } from '../../adapters/shared/pinned-fetch'
import type { PinnedRequest } from '../../src/exports/ports'
import { tempDir } from './store'

/**
 * A fake DNS and network edge for SSRF tests. Names resolve only through `names` (a test sets
 * them; unknown names fail like NXDOMAIN), and every connection the guard lets through is
 * counted. Loopback test servers play "public" hosts: a name resolves to a public-looking address
 * (`PUBLIC_IP`), the guard approves it, and only then is the connection sent to 127.0.0.1.
 * Nothing reaches loopback except through that mapping.
 */
export class FakeNet {
  /** Host name -> addresses, or a function giving the next answer (for DNS rebinding). */
  readonly names = new Map<string, string[] | (() => string[])>()
  /** Public-looking address -> the loopback address really connected to. */
  readonly routes = new Map<string, string>()
  readonly lookups: string[] = []
  readonly connections: Array<{ url: string; address: string }> = []

  static readonly PUBLIC_IP = '93.184.216.34'

  /** Makes `host` resolve to a public address that is routed to a loopback server. */
  publicHost(host: string, address = FakeNet.PUBLIC_IP): this {
    this.names.set(host, [address])
    this.routes.set(address, '127.0.0.1')
    return this
  }

  resolveHost = async (hostname: string): Promise<string[]> => {
    this.lookups.push(hostname)
    const entry = this.names.get(hostname.toLowerCase())
    if (!entry) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
    return typeof entry === 'function' ? entry() : entry
  }

  fetchPinned = (url: string, init: PinnedRequest): Promise<Response> => {
    this.connections.push({ url, address: init.address })
    const routed = this.routes.get(init.address)
    if (!routed) return Promise.reject(new Error(`test network: no route to ${init.address}`))
    return fetchPinned(url, { ...init, address: routed })
  }

  reset(): void {
    this.lookups.length = 0
    this.connections.length = 0
  }
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void

export interface TestHttpServer {
  server: Server
  port: number
  requests: Array<{ method: string; url: string }>
  close(): Promise<void>
}

async function listen(server: Server, handler: Handler): Promise<TestHttpServer> {
  const requests: Array<{ method: string; url: string }> = []
  const sockets = new Set<import('node:net').Socket>()
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/' })
    handler(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    server,
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/** A plain HTTP server on 127.0.0.1. */
export const httpServer = (handler: Handler): Promise<TestHttpServer> => listen(createHttpServer(), handler)

let certificate: { key: string; cert: string } | undefined

/**
 * A self-signed certificate for the given names (made once per test file with openssl), trusted
 * by this process's https client: the pinned fetch still verifies the host name against it.
 */
export function testCertificate(names: string[]): { key: string; cert: string } {
  if (certificate) return certificate
  const dir = tempDir('gw-cert-')
  const key = join(dir, 'key.pem')
  const cert = join(dir, 'cert.pem')
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-keyout', key, '-out', cert, '-subj', `/CN=${names[0]}`, '-addext', `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
  ], { stdio: 'ignore' })
  certificate = { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') }
  // https.request without an agent uses the global agent, whose options reach tls.connect.
  globalAgent.options.ca = [certificate.cert]
  void httpGlobalAgent
  return certificate
}

/** An HTTPS server on 127.0.0.1 with `testCertificate(names)`. */
export const httpsServer = (names: string[], handler: Handler): Promise<TestHttpServer> => {
  const { key, cert } = testCertificate(names)
  return listen(createHttpsServer({ key, cert }) as unknown as Server, handler)
}
