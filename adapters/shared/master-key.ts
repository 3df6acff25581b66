import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomHex } from '../../src/lib/crypto'

/**
 * The secrets master key when `GATEWAY_MASTER_KEY` is unset: 32 random bytes (64 hex), created
 * once in `<dataDir>/master-key` with 0600 permissions and reused. Several instances sharing a
 * PostgreSQL database need the same key: set `GATEWAY_MASTER_KEY` on each.
 */
export async function masterKeyFile(dataDir: string): Promise<{ key: string; generated: boolean; path: string }> {
  const path = join(dataDir, 'master-key')
  try {
    const key = (await readFile(path, 'utf8')).trim()
    if (key.length >= 32) return { key, generated: false, path }
  } catch {
    // first start
  }
  await mkdir(dataDir, { recursive: true })
  const key = randomHex(32)
  // `wx`: never overwrite a key another process just wrote (its secrets would be lost).
  try {
    await writeFile(path, `${key}\n`, { mode: 0o600, flag: 'wx' })
  } catch {
    return masterKeyFile(dataDir)
  }
  await chmod(path, 0o600)
  return { key, generated: true, path }
}
