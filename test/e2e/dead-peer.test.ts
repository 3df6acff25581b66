import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { MockLlm } from '../support/mock-llm'
import { type NodeProcess, startNode } from '../support/processes'
import { SseClient } from '../support/sse-client'
import { createTestSchema, dropTestSchema, POSTGRES_URL, tempDir } from '../support/store'

const TOKEN = 'dead-peer-token-0123456789abcdef'
const MASTER_KEY = 'dead-peer-master-key-0123456789abcdef'
const auth = { authorization: `Bearer ${TOKEN}` }
/** The issue's promise: a watcher hears of a dead instance's turn within 10 s of the kill. */
const DETECT_WITHIN_MS = 10_000

const CLI = 'adapters/node/main.ts'
const post = (url: string, path: string, body: unknown) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) })
const history = async (url: string, threadId: string) =>
  (await (await fetch(`${url}/api/chat/history?thread_id=${threadId}`, { headers: auth })).json()) as {
    turns: Array<{ user_input: string; state: string; error: string | null; response: string | null }>
    in_progress: unknown
  }

/**
 * kill -9 of the gateway process running a streamed turn. The turn must end for whoever watches
 * it: on PostgreSQL another instance notices within seconds (the dead one's lease lapses); on
 * SQLite the same data directory restarted after the crash does. The watcher gets
 * `turn_interrupted`, history agrees, and sending the message again works.
 */
describe('a gateway killed mid-turn', () => {
  let llm: MockLlm
  const processes: NodeProcess[] = []
  const cleanup: Array<() => unknown> = []
  beforeAll(async () => {
    llm = await MockLlm.start()
  })
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn()
    for (const p of processes.splice(0)) p.child.kill('SIGKILL')
  })
  afterAll(() => llm.close())

  const start = async (env: Record<string, string>) => {
    const gw = await startNode(CLI, {
      GATEWAY_AUTH_TOKEN: TOKEN, GATEWAY_MASTER_KEY: MASTER_KEY, GATEWAY_PORT: '0',
      LLM_BASE_URL: llm.url, LLM_API_KEY: 'sk-upstream', LLM_MODEL: 'mock-model', ...env,
    })
    processes.push(gw)
    return gw
  }

  /** Starts a turn on `runner` that streams a first chunk and then hangs, watched by `watcher`'s SSE stream. */
  const hangingTurn = async (runner: NodeProcess, watcher: SseClient) => {
    llm.reply({ kind: 'hang', afterChunks: ['partial answer '] })
    const sent = await post(runner.url, '/api/chat/send', { content: 'tell me a long story' })
    expect(sent.status).toBe(202)
    const { thread_id } = (await sent.json()) as { thread_id: string }
    const chunk = await watcher.next((e) => e.event === 'stream_chunk' && e.json.thread_id === thread_id, 10_000)
    return { threadId: thread_id, lastEventId: chunk.id! }
  }

  const kill = async (gw: NodeProcess) => {
    gw.child.kill('SIGKILL')
    expect(await gw.exited).toBe('SIGKILL')
  }

  /** History agrees with the event, and the user's retry (the same message, sent again) is answered. */
  const agreesAndRetries = async (url: string, watcher: SseClient, threadId: string) => {
    const before = await history(url, threadId)
    expect(before.in_progress).toBeNull()
    expect(before.turns).toHaveLength(1)
    expect(before.turns[0]).toMatchObject({ user_input: 'tell me a long story', state: 'interrupted', error: 'The gateway running this turn stopped before it finished' })

    llm.reply({ kind: 'text', chunks: ['Once ', 'upon a time.'] })
    expect((await post(url, '/api/chat/send', { content: 'tell me a long story', thread_id: threadId })).status).toBe(202)
    const answer = await watcher.next((e) => e.event === 'response' && e.json.thread_id === threadId, 10_000)
    expect(answer.json.content).toBe('Once upon a time.')
    const after = await history(url, threadId)
    expect(after.turns.map((t) => t.state)).toEqual(['interrupted', 'completed'])
  }

  it.skipIf(!POSTGRES_URL)('on PostgreSQL, a client of the surviving instance gets turn_interrupted within 10 s', { timeout: 90_000 }, async () => {
    const schema = await createTestSchema()
    cleanup.push(() => dropTestSchema(schema))
    const DATABASE_URL = `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`
    // A first, then B, as after a deploy: the migrations run once.
    const a = await start({ DATABASE_URL, GATEWAY_DATA_DIR: tempDir('gw-peer-a-') })
    const b = await start({ DATABASE_URL, GATEWAY_DATA_DIR: tempDir('gw-peer-b-') })
    const watcher = await SseClient.open(`${a.url}/api/chat/events`, { headers: auth })
    cleanup.push(() => watcher.close())

    const { threadId } = await hangingTurn(b, watcher)
    const seen = watcher.events.length
    const killedAt = Date.now()
    await kill(b)
    const interrupted = await watcher.next((e) => e.event === 'turn_interrupted', DETECT_WITHIN_MS, seen)
    const detectedMs = Date.now() - killedAt
    expect(interrupted.json).toMatchObject({ thread_id: threadId, user_input: 'tell me a long story', message: 'The gateway running this turn stopped before it finished' })
    expect(detectedMs).toBeLessThan(DETECT_WITHIN_MS)
    // Reported once, by the one instance whose sweep claimed the turn.
    expect(watcher.ofType('turn_interrupted')).toHaveLength(1)
    await agreesAndRetries(a.url, watcher, threadId)
  })

  it('on SQLite, the instance restarted after the crash ends the turn for a client that reconnects', { timeout: 90_000 }, async () => {
    const env = { GATEWAY_DATA_DIR: tempDir('gw-crash-turn-') }
    const first = await start(env)
    const before = await SseClient.open(`${first.url}/api/chat/events`, { headers: auth })
    cleanup.push(() => before.close())
    const { threadId } = await hangingTurn(first, before)
    // The turn is stored as running before the crash (what a restart finds).
    await expect.poll(async () => (await history(first.url, threadId)).in_progress, { timeout: 5_000 }).not.toBeNull()
    const lastEventId = before.events.at(-1)!.id!
    await kill(first)
    before.close()

    const restarted = await start(env)
    // The browser reconnects where it stopped; the restart's sweep is in the replay.
    const watcher = await SseClient.open(`${restarted.url}/api/chat/events`, { headers: { ...auth, 'last-event-id': lastEventId } })
    cleanup.push(() => watcher.close())
    const interrupted = await watcher.next((e) => e.event === 'turn_interrupted' || e.event === 'resync', DETECT_WITHIN_MS)
    expect(interrupted.event).toBe('turn_interrupted')
    expect(interrupted.json).toMatchObject({ thread_id: threadId, user_input: 'tell me a long story' })
    await agreesAndRetries(restarted.url, watcher, threadId)
  })
})
