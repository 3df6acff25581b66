import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import process from 'node:process'

/**
 * One gateway per SQLite data directory: a second process would fire routines twice and fight
 * over the database. Takes `<dataDir>/gateway.lock` (holding our pid); a lock left by a dead
 * process is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, 'gateway.lock')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600)
      writeSync(fd, String(process.pid))
      closeSync(fd)
      let released = false
      return () => {
        if (released) return
        released = true
        try {
          if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path)
        } catch {
          // already gone
        }
      }
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error
      const holder = Number.parseInt(readFileSync(path, 'utf8').trim(), 10)
      if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
        throw new Error(
          `another gateway (pid ${holder}) is already using the data directory ${dataDir}. ` +
            'Stop it first, or give this one its own --data-dir (or a PostgreSQL DATABASE_URL to run several instances).',
        )
      }
      unlinkSync(path)
    }
  }
  throw new Error(`could not lock the data directory ${dataDir}`)
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM'
  }
}
