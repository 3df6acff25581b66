import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomAlphanumeric } from '../../src/lib/crypto'

/**
 * The owner token when `GATEWAY_AUTH_TOKEN` is unset: generated once (32 alphanumerics, ~190 bits),
 * stored 0600 in the data dir, and reused, so a restart does not lock the browser out.
 */
export async function ownerToken(dataDir: string): Promise<{ token: string; generated: boolean; path: string }> {
  const path = join(dataDir, 'owner-token')
  try {
    const token = (await readFile(path, 'utf8')).trim()
    if (/^[A-Za-z0-9]{32,}$/.test(token)) return { token, generated: false, path }
  } catch {
    // first start
  }
  await mkdir(dataDir, { recursive: true })
  const token = randomAlphanumeric(32)
  await writeFile(path, `${token}\n`, { mode: 0o600 })
  await chmod(path, 0o600)
  return { token, generated: true, path }
}
