import { statSync } from 'node:fs'
import { join } from 'node:path'
import { getLogger, type LogRecord } from '@logtape/logtape'
import { afterAll, describe, expect, it } from 'vitest'
import { masterKeyFile } from '../../adapters/shared/master-key'
import { loadConfig } from '../../src/config/gateway-config'
import { configureLogging, GatewayLogging } from '../../src/logging/gateway-logging'
import { renderRecord } from '../../src/logging/log-line'
import { SecretCipher } from '../../src/lib/secret-cipher'
import { SecretsService } from '../../src/services/secrets/secrets-service'
import { systemClock } from '../../src/lib/time'
import { tempDir } from '../support/store'
import { testGateway } from '../support/gateway'
import { createUser } from '../support/users'

describe('secrets', async () => {
  const logging = new GatewayLogging({ level: 'debug' })
  const captured: string[] = []
  await configureLogging(logging, { capture: (record: LogRecord) => void captured.push(renderRecord(record, { stacks: true })) })
  const gw = await testGateway({ logging })
  afterAll(() => gw.close())
  const json = async (res: Response) => (await res.json()) as Record<string, any>
  const SECRET = 'sk-live-4f9a2c7e1b8d3f6a0c5e9b2d7f1a4c8e'
  const OTHER = 'correct horse battery staple 42'

  it('stores, lists (names only), replaces and deletes a secret', async () => {
    const u = await createUser(gw)
    const first = await gw.request(`/api/admin/users/${u.id}/secrets/OpenAI_Key`, { method: 'PUT', json: { value: SECRET, provider: 'openai' } })
    expect(first.status).toBe(201)
    expect(await json(first)).toEqual({ user_id: u.id, name: 'openai_key', status: 'created' })
    const again = await gw.request(`/api/admin/users/${u.id}/secrets/openai_key`, { method: 'PUT', json: { value: OTHER, expires_in_days: 10 } })
    expect(again.status).toBe(200)
    expect((await json(again)).status).toBe('updated')
    const list = await json(await gw.request(`/api/admin/users/${u.id}/secrets`))
    expect(list.user_id).toBe(u.id)
    expect(list.secrets).toHaveLength(1)
    expect(list.secrets[0]).toMatchObject({ name: 'openai_key', provider: null })
    expect(Object.keys(list.secrets[0]).sort()).toEqual(['created_at', 'expires_at', 'name', 'provider', 'updated_at'])
    expect(await gw.services.secrets!.get(u.id, 'OPENAI_KEY')).toBe(OTHER)
    const del = await gw.request(`/api/admin/users/${u.id}/secrets/openai_key`, { method: 'DELETE' })
    expect(await json(del)).toEqual({ user_id: u.id, name: 'openai_key', deleted: true })
    expect((await gw.request(`/api/admin/users/${u.id}/secrets/openai_key`, { method: 'DELETE' })).status).toBe(404)
    expect(await gw.services.secrets!.get(u.id, 'openai_key')).toBeUndefined()
  })

  it('validates names and values, and 404s an unknown user', async () => {
    const u = await createUser(gw)
    // `..` (however spelled) is resolved away by URL parsing before routing: no route, nothing touched.
    for (const name of ['..', '%2e%2e']) {
      expect((await gw.request(`/api/admin/users/${u.id}/secrets/${name}`, { method: 'PUT', json: { value: 'v' } })).status).toBe(404)
    }
    for (const name of ['-x', 'a b', 'x'.repeat(65), '..%2f', 'a%2Fb', '%00']) {
      const res = await gw.request(`/api/admin/users/${u.id}/secrets/${name}`, { method: 'PUT', json: { value: 'v' } })
      expect(res.status, name).toBe(400)
    }
    expect((await gw.request(`/api/admin/users/${u.id}/secrets/ok`, { method: 'PUT', json: { value: '' } })).status).toBe(400)
    expect((await gw.request(`/api/admin/users/${u.id}/secrets/ok`, { method: 'PUT', json: {} })).status).toBe(400)
    const ghost = await gw.request('/api/admin/users/ghost/secrets/ok', { method: 'PUT', json: { value: 'v' } })
    expect(ghost.status).toBe(404)
    expect((await json(ghost)).error.code).toBe('user_not_found')
    expect((await gw.request('/api/admin/users/ghost/secrets')).status).toBe(404)
  })

  it('encrypts at rest, bound to its owner and name', async () => {
    const alice = await createUser(gw)
    const bob = await createUser(gw)
    await gw.services.secrets!.set(alice.id, 'token', SECRET)
    const db = gw.store!.db
    const row = await db.selectFrom('secrets').selectAll().where('user_id', '=', alice.id).executeTakeFirstOrThrow()
    expect(row.ciphertext).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/)
    expect(JSON.stringify(row)).not.toContain(SECRET)
    expect(JSON.stringify(row)).not.toContain(btoa(SECRET))
    // Copied to another user, the ciphertext does not decrypt.
    await db.insertInto('secrets').values({ ...row, id: crypto.randomUUID(), user_id: bob.id }).execute()
    await expect(gw.services.secrets!.get(bob.id, 'token')).rejects.toThrow()
    // Another master key is told apart, not silently mis-decrypted.
    const other = await SecretsService.open(db, await SecretCipher.create('another-master-key-of-32-characters!!'), systemClock)
    await expect(other.get(alice.id, 'token')).rejects.toMatchObject({ code: 'secret_key_mismatch' })
  })

  it('expires a secret', async () => {
    const u = await createUser(gw)
    await gw.services.secrets!.set(u.id, 'old', 'value-that-expired', { expiresAt: new Date(Date.now() - 1000).toISOString() })
    expect(await gw.services.secrets!.get(u.id, 'old')).toBeUndefined()
  })

  it('never shows a value in any response or log line', async () => {
    const u = await createUser(gw)
    const responses: string[] = []
    const call = async (path: string, init: Parameters<typeof gw.request>[1] = {}) => {
      const res = await gw.request(path, init)
      responses.push(`${res.status} ${JSON.stringify([...res.headers])} ${await res.text()}`)
    }
    await call(`/api/admin/users/${u.id}/secrets/api_key`, { method: 'PUT', json: { value: SECRET } })
    await call(`/api/admin/users/${u.id}/secrets/api_key`, { method: 'PUT', json: { value: SECRET, provider: 'x'.repeat(100) } })
    await call(`/api/admin/users/${u.id}/secrets/bad name`, { method: 'PUT', json: { value: SECRET } })
    await call(`/api/admin/users/${u.id}/secrets/api_key`, { method: 'PUT', json: { value: 42 } })
    await call(`/api/admin/users/${u.id}/secrets`)
    await call(`/api/admin/users/${u.id}`)
    await call('/api/admin/users')
    await call('/api/settings/export', { token: u.token })
    await call('/api/gateway/status')
    await call('/api/openapi.json')
    // Code that mishandles a secret and logs it (an extension, an upstream error message...).
    const log = getLogger(['gateway', 'extensions'])
    log.error(`upstream said: invalid key ${SECRET}`)
    log.info('calling {url} with {header}', { url: `https://api.example/v1?api_key=${SECRET}`, header: `Bearer ${SECRET}`, value: SECRET })
    log.warn('json body {body}', { body: { apiKey: SECRET, nested: [SECRET] } })
    const lines = logging.feed.recent().map((l) => l.message)
    for (const text of [...responses, ...captured, ...lines]) expect(text).not.toContain(SECRET)
    expect(lines.some((l) => l.startsWith('upstream said: invalid key [REDACTED]'))).toBe(true)
    expect(captured.some((l) => l.includes('json body'))).toBe(true)
  })

  it('registers stored values with the redactor at start-up', async () => {
    const u = await createUser(gw)
    await gw.services.secrets!.set(u.id, 'plain', 'not-a-known-shape-but-secret')
    const fresh = new GatewayLogging()
    const reopened = await testGateway({ store: gw.store, logging: fresh, config: { masterKey: gw.config.masterKey } })
    expect(fresh.redactor.redact('x not-a-known-shape-but-secret y')).toBe('x [REDACTED] y')
    void reopened // sharing gw's store: closed with gw
  })

  it('keeps a generated master key in a 0600 file, or takes GATEWAY_MASTER_KEY', async () => {
    const dir = tempDir()
    const first = await masterKeyFile(dir)
    expect(first.generated).toBe(true)
    expect(first.key).toMatch(/^[0-9a-f]{64}$/)
    expect(statSync(join(dir, 'master-key')).mode & 0o777).toBe(0o600)
    expect((await masterKeyFile(dir)).key).toBe(first.key)
    expect(statSync(join(gw.config.dataDir, 'master-key')).mode & 0o777).toBe(0o600)
    expect(loadConfig({ GATEWAY_MASTER_KEY: 'k'.repeat(40) }).masterKey).toBe('k'.repeat(40))
    expect(() => loadConfig({ GATEWAY_MASTER_KEY: 'short' })).toThrow(/at least 32/)
  })

  it('answers 503 secrets_unavailable without a master key', async () => {
    const bare = await testGateway({ store: undefined })
    const res = await bare.request('/api/admin/users/owner/secrets')
    expect(res.status).toBe(503)
    await bare.close()
  })
})
