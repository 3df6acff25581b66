/**
 * Entry point of every benchmark child process: imports the module named on the command line,
 * calls its `start(args)` and serves its commands over the IPC channel. Built-in commands:
 * `cpu` (process CPU time) and `mem` (memory after a full GC when `gc: true`).
 */
import { pathToFileURL } from 'node:url'

type Handler = (args: any) => unknown
export interface ChildModule {
  start(args: any): Promise<{ info?: Record<string, unknown>; commands: Record<string, Handler>; stop?: () => Promise<void> | void }>
}

const send = (message: unknown) => process.send?.(message)

const builtins: Record<string, Handler> = {
  cpu: () => {
    const { user, system } = process.cpuUsage()
    return { cpuUs: user + system, atUs: Number(process.hrtime.bigint() / 1000n) }
  },
  mem: async (args: { gc?: boolean } = {}) => {
    const gc = (globalThis as { gc?: () => void }).gc
    if (args.gc && gc) {
      // Several rounds with pauses between, so weak callbacks and finalizers have run and V8
      // has given back the young generation it grew while connections were being accepted.
      for (let i = 0; i < 4; i++) {
        gc()
        await new Promise((r) => setTimeout(r, 50))
      }
    }
    const m = process.memoryUsage()
    return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers }
  },
}

/**
 * `BENCH_PROFILE=<dir>`: scenarios wrap their measured spans in `profileStart`/`profileStop`, and
 * each child writes a `.cpuprofile` of them (open in Chrome DevTools or speedscope).
 */
let profiler: import('node:inspector/promises').Session | undefined
/** `BENCH_PROFILE=<dir>` also enables `heapSnapshot` (for memory-per-connection questions). */
builtins.heapSnapshot = async (args: { name: string }) => {
  if (!process.env.BENCH_PROFILE) return undefined
  const { writeHeapSnapshot } = await import('node:v8')
  const { mkdirSync } = await import('node:fs')
  mkdirSync(process.env.BENCH_PROFILE, { recursive: true })
  return writeHeapSnapshot(`${process.env.BENCH_PROFILE}/${args.name}-${process.pid}.heapsnapshot`)
}
builtins.profileStart = async () => {
  if (!process.env.BENCH_PROFILE) return false
  const { Session } = await import('node:inspector/promises')
  profiler ??= new Session()
  profiler.connect()
  await profiler.post('Profiler.enable')
  await profiler.post('Profiler.setSamplingInterval', { interval: 200 })
  await profiler.post('Profiler.start')
  return true
}
builtins.profileStop = async (args: { name: string }) => {
  if (!profiler) return undefined
  const { profile } = await profiler.post('Profiler.stop')
  profiler.disconnect()
  const { writeFileSync, mkdirSync } = await import('node:fs')
  mkdirSync(process.env.BENCH_PROFILE!, { recursive: true })
  const file = `${process.env.BENCH_PROFILE}/${args.name.replace(/[^\w.-]+/g, '_')}-${process.pid}.cpuprofile`
  writeFileSync(file, JSON.stringify(profile))
  return file
}

const [modulePath] = process.argv.slice(2)
const mod = (await import(pathToFileURL(modulePath!).href)) as ChildModule
const started = await mod.start(JSON.parse(process.env.BENCH_CHILD_ARGS ?? '{}'))
const commands = { ...builtins, ...started.commands }

process.on('message', async (message: { id: number; command: string; args?: unknown }) => {
  const handler = commands[message.command]
  try {
    if (!handler) throw new Error(`unknown command ${message.command}`)
    send({ id: message.id, ok: true, result: await handler(message.args) })
  } catch (error) {
    send({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) })
  }
})
process.on('disconnect', () => process.exit(0))
process.on('SIGTERM', async () => {
  await started.stop?.()
  process.exit(0)
})
send({ ready: started.info ?? {} })
