// Token authentication cost per request: `npx tsx bench/auth-bench.ts` (owner token, cached API token, cache miss).
import { testGateway } from '../test/support/gateway'
import { createUser } from '../test/support/users'
const gw = await testGateway()
const member = await createUser(gw)
const time = async (n: number, fn: () => Promise<unknown>) => { const t = performance.now(); for (let i = 0; i < n; i++) await fn(); return (performance.now() - t) * 1000 / n }
const status = (token: string) => gw.request('/api/gateway/status', { token })
await time(2000, () => status(member.token)); await time(2000, () => status('test-owner-token-0123456789abcdef'))
const rows: Record<string, number[]> = { owner: [], cached: [], miss: [] }
for (let r = 0; r < 5; r++) {
  rows.owner!.push(await time(3000, () => status('test-owner-token-0123456789abcdef')))
  rows.cached!.push(await time(3000, () => status(member.token)))
  rows.miss!.push(await time(500, async () => { gw.auth.invalidate({ userId: member.id }); await status(member.token) }))
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(0)
console.log(`GET /api/gateway/status via app.request, median of 5 runs: owner ${median(rows.owner!)} µs, API token cached ${median(rows.cached!)} µs, API token cache miss (DB lookup) ${median(rows.miss!)} µs`)
await gw.close()
