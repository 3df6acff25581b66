import { createServer, type Server } from 'node:http'
import { createHash, randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'

/** Who the provider signs in next (it approves every authorization request, like a live IdP session). */
export interface ProviderUser {
  sub: string
  name?: string
  email?: string
  email_verified?: boolean
  groups?: string[]
}

/** How the next ID token is spoiled, to check the gateway refuses it. */
export type Tamper = 'none' | 'wrong-key' | 'wrong-audience' | 'expired' | 'wrong-nonce'

interface Grant {
  clientId: string
  redirectUri: string
  challenge: string
  nonce: string
  user: ProviderUser
}

/**
 * An OIDC provider of our own on loopback, speaking the real protocol: discovery, JWKS, an
 * authorization endpoint that approves at once (redirecting with a code), and a token endpoint
 * that checks the client's secret and the PKCE verifier and returns an RS256 ID token.
 */
export async function startOidcProvider(options: { clientId: string; clientSecret: string }) {
  const key = await generateKeyPair('RS256', { extractable: true })
  const rogue = await generateKeyPair('RS256', { extractable: true })
  const jwk: JWK = { ...(await exportJWK(key.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }
  const grants = new Map<string, Grant>()
  const state = { user: { sub: 'user-1', name: 'Ada Lovelace', email: 'ada@example.com', email_verified: true } as ProviderUser, tamper: 'none' as Tamper, tokenRequests: 0 }
  let issuer = ''

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer)
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      res.end(JSON.stringify(body))
    }
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_post'],
      })
    }
    if (url.pathname === '/jwks') return json(200, { keys: [jwk] })
    if (url.pathname === '/authorize') {
      const q = url.searchParams
      if (q.get('client_id') !== options.clientId || q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) {
        return json(400, { error: 'invalid_request' })
      }
      const code = randomBytes(16).toString('hex')
      grants.set(code, { clientId: options.clientId, redirectUri: q.get('redirect_uri')!, challenge: q.get('code_challenge')!, nonce: q.get('nonce') ?? '', user: state.user })
      const back = new URL(q.get('redirect_uri')!)
      back.searchParams.set('code', code)
      back.searchParams.set('state', q.get('state') ?? '')
      res.writeHead(302, { location: back.href })
      return res.end()
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let raw = ''
      req.on('data', (chunk: Buffer) => (raw += chunk.toString()))
      req.on('end', () => {
        void (async () => {
          state.tokenRequests++
          const form = new URLSearchParams(raw)
          const grant = grants.get(form.get('code') ?? '')
          grants.delete(form.get('code') ?? '')
          if (form.get('client_id') !== options.clientId || form.get('client_secret') !== options.clientSecret) return json(401, { error: 'invalid_client' })
          if (!grant || form.get('grant_type') !== 'authorization_code' || form.get('redirect_uri') !== grant.redirectUri) return json(400, { error: 'invalid_grant' })
          const challenge = createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url')
          if (challenge !== grant.challenge) return json(400, { error: 'invalid_grant', error_description: 'PKCE verification failed' })
          const now = Math.floor(Date.now() / 1000)
          const tamper = state.tamper
          const claims = { ...grant.user, nonce: tamper === 'wrong-nonce' ? 'another-nonce' : grant.nonce }
          const idToken = await new SignJWT(claims)
            .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
            .setIssuer(issuer)
            .setSubject(grant.user.sub)
            .setAudience(tamper === 'wrong-audience' ? 'some-other-client' : grant.clientId)
            .setIssuedAt(tamper === 'expired' ? now - 7200 : now)
            .setExpirationTime(tamper === 'expired' ? now - 3600 : now + 300)
            .sign(tamper === 'wrong-key' ? rogue.privateKey : key.privateKey)
          json(200, { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: idToken })
        })()
      })
      return
    }
    json(404, { error: 'not_found' })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    issuer,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
