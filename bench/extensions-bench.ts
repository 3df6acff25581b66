/**
 * Skills and extensions costs on this machine: `npx tsx bench/extensions-bench.ts`.
 * - activating a stdio MCP server (spawn, initialize, list tools) and calling its tools;
 * - building the per-message skill context with many skills installed;
 * - refusing hostile archives (10k entries, a 50 MB bomb) without inflating them.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createGateway, unpackArchiveForBench } from './support-extensions'

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!
const ms = (n: number) => `${n.toFixed(2)} ms`

async function main() {
  const { gw, dir, makeZip, skillMd } = await createGateway()
  const ctx = { userId: 'owner', threadId: crypto.randomUUID(), callId: 'b', signal: new AbortController().signal }

  const activations: number[] = []
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now()
    const res = await gw.request(i === 0 ? '/api/extensions/install' : '/api/extensions/fixture/activate', { method: 'POST', json: i === 0 ? { name: 'fixture' } : {} })
    if (res.status >= 300) throw new Error(`activation failed: ${res.status} ${await res.text()}`)
    activations.push(performance.now() - t0)
  }
  const echo = (await gw.tools.get('owner', 'fixture__echo'))!
  for (let i = 0; i < 50; i++) await echo.execute({ text: 'warm' }, ctx)
  const calls: number[] = []
  for (let i = 0; i < 500; i++) {
    const t0 = performance.now()
    await echo.execute({ text: `call ${i}` }, ctx)
    calls.push(performance.now() - t0)
  }
  const lists: number[] = []
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now()
    await gw.tools.list('owner')
    lists.push(performance.now() - t0)
  }

  for (let i = 0; i < 200; i++) {
    const content = skillMd({ name: `skill-${i}`, description: `Helps with topic number ${i} and related chores`, keywords: [`kw${i}`, `topic${i}`] }, `Instructions for skill ${i}.\n`.repeat(40))
    await gw.request('/api/skills/install', { method: 'POST', headers: { 'x-confirm-action': 'true' }, json: { content } })
  }
  await gw.services.skills!.contextFor('owner', 'warm up')
  const contexts: number[] = []
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now()
    await gw.services.skills!.contextFor('owner', `please help with kw${i % 200} and topic number ${i} today`)
    contexts.push(performance.now() - t0)
  }

  const many = await makeZip([{ name: 'SKILL.md', data: 'x' }, ...Array.from({ length: 10_000 }, (_, i) => ({ name: `f/${i}`, data: '', compress: false }))])
  const bomb = await makeZip([{ name: 'SKILL.md', data: 'x' }, { name: 'bomb.bin', data: Buffer.alloc(50 * 1024 * 1024) }])
  const refuse = async (bytes: Buffer) => {
    const t0 = performance.now()
    await unpackArchiveForBench(bytes).then(() => Promise.reject(new Error('accepted')), () => undefined)
    return performance.now() - t0
  }
  const refuseMany = await refuse(many)
  const refuseBomb = await refuse(bomb)

  const lines = [
    `stdio MCP activation (spawn node + initialize + tools/list), 5 runs: p50 ${ms(quantile(activations, 0.5))}, max ${ms(Math.max(...activations))}`,
    `MCP tool call over stdio, 500 calls: p50 ${ms(quantile(calls, 0.5))}, p99 ${ms(quantile(calls, 0.99))}`,
    `agent tool list with one active extension, 200 runs: p50 ${ms(quantile(lists, 0.5))}, p99 ${ms(quantile(lists, 0.99))}`,
    `skill context with 200 installed skills, 200 messages: p50 ${ms(quantile(contexts, 0.5))}, p99 ${ms(quantile(contexts, 0.99))}`,
    `refusing a zip of 10,000 entries (${(many.length / 1024).toFixed(0)} KB): ${ms(refuseMany)}`,
    `refusing a 50 MB zip bomb (${(bomb.length / 1024).toFixed(0)} KB compressed): ${ms(refuseBomb)}`,
  ]
  console.log(lines.join('\n'))
  writeFileSync(join(dir, 'result.txt'), lines.join('\n'))
  await gw.close()
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
