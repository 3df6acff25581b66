/**
 * Sandbox jobs: what isolation and confinement cost. `npx tsx bench/jobs-bench.ts`
 * - spawn: run `true` through the process port, with and without bubblewrap;
 * - cancel: from POST /cancel to the answer, with a command running (its process group is gone by then);
 * - read: a confined 1 KiB file read (realpath + open + /proc/self/fd check) vs plain readFile;
 * - replay: a 2,000-event job log over SSE, from request to the last event.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createSandbox, findBwrap, serveGateway } from '../adapters/node/index'
import { bwrapWorks } from '../adapters/shared/sandbox/bwrap'
import { JobRepository } from '../src/services/jobs/job-repository'
import { defaultJobs, jobsGateway, startJob, waitForState } from '../test/jobs/support'
import { SseClient } from '../test/support/sse-client'
import { TEST_TOKEN, waitFor } from '../test/support/gateway'
import { tempDir } from '../test/support/store'

const stats = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(2)
  return `p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${sorted.at(-1)!.toFixed(2)} ms (n=${ms.length})`
}

async function spawnCost(isolation: 'process' | 'bwrap', runs = 40): Promise<string> {
  const port = createSandbox(isolation).processes!
  const dir = join(tempDir('gw-bench-'), 'ws')
  mkdirSync(dir)
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    await port.spawn({ argv: ['/bin/true'], cwd: dir, env: { PATH: '/usr/bin:/bin' }, writable: [dir], network: false }).exited
    times.push(performance.now() - t)
  }
  return `spawn /bin/true (${isolation}): ${stats(times)}`
}

async function cancelLatency(isolation: 'process' | 'bwrap', runs = 8): Promise<string> {
  const gw = await jobsGateway({ isolation, jobs: { killGraceMs: 1000 } })
  const times: number[] = []
  try {
    for (let i = 0; i < runs; i++) {
      const job = await startJob(gw, `sleep 60 bench-${crypto.randomUUID()}`)
      await waitFor(() => defaultJobs(gw).processIds(job.id).length > 0, 10_000)
      await new Promise((r) => setTimeout(r, 200))
      const t = performance.now()
      const res = await gw.request(`/api/jobs/${job.id}/cancel`, { method: 'POST' })
      times.push(performance.now() - t)
      if (res.status !== 200) throw new Error(`cancel ${res.status}`)
    }
  } finally {
    await gw.close()
  }
  return `cancel a running command (${isolation}): ${stats(times)}`
}

async function readCost(runs = 3000): Promise<string> {
  const fs = createSandbox('process').fs
  const root = tempDir('gw-bench-')
  writeFileSync(join(root, 'f.txt'), 'x'.repeat(1024))
  const confined: number[] = []
  const plain: number[] = []
  for (let i = 0; i < runs; i++) {
    let t = performance.now()
    await fs.read(root, ['f.txt'], 1 << 20)
    confined.push(performance.now() - t)
    t = performance.now()
    await readFile(join(root, 'f.txt'))
    plain.push(performance.now() - t)
  }
  return `read 1 KiB confined: ${stats(confined)}\nread 1 KiB plain readFile: ${stats(plain)}`
}

async function replayCost(): Promise<string> {
  const gw = await jobsGateway()
  const server = await serveGateway(gw, { port: 0 })
  try {
    const job = await startJob(gw, 'print 2000')
    await waitForState(gw, job.id, ['completed'])
    const repo = new JobRepository(gw.store!.db)
    for (let i = 0; i < 2000; i++) await repo.appendEvent(job.id, 'owner', 'message', { role: 'output', content: `line ${i}` }, new Date().toISOString())
    const total = (await repo.events(job.id, 0, 100_000)).length
    const t = performance.now()
    const stream = await SseClient.open(`${server.url}/api/jobs/${job.id}/events`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })
    await stream.next((e) => Number(e.id) === total, 30_000)
    const ms = performance.now() - t
    stream.close()
    return `SSE replay of ${total} job events: ${ms.toFixed(0)} ms`
  } finally {
    await server.close(500)
  }
}

const bwrap = findBwrap()
const withBwrap = bwrap !== undefined && bwrapWorks(bwrap)
const lines = [await spawnCost('process')]
if (withBwrap) lines.push(await spawnCost('bwrap'))
lines.push(await cancelLatency('process'))
if (withBwrap) lines.push(await cancelLatency('bwrap'))
lines.push(await readCost(), await replayCost())
console.log(lines.join('\n'))
process.exit(0)
