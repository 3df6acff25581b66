import { describe, expect, it } from 'vitest'
import { pairStats, parseGoal, verdictOf } from '../../bench/lib/verdict'

// The benchmark's judge, not a benchmark: rows in, verdicts out.
describe('bench verdicts', () => {
  it('parses goals on ratios and on values, joined with and', () => {
    expect(parseGoal('>= 0.80x')).toEqual([{ op: '>=', limit: 0.8, onRatio: true }])
    expect(parseGoal('<= 2x and < 100')).toEqual([
      { op: '<=', limit: 2, onRatio: true },
      { op: '<', limit: 100, onRatio: false },
    ])
    expect(parseGoal('fast please')).toBeUndefined()
  })

  it('judges PASS, FAIL, NOISY, CLIENT-BOUND, SKIP and INFO', () => {
    const row = { scenario: 'x', unit: 'µs', baseline: 2, value: 2.4, goal: '<= 1.3x' }
    expect(verdictOf(row)).toBe('PASS')
    expect(verdictOf({ ...row, value: 3 })).toBe('FAIL')
    // Pairs on both sides of the goal, spread over ±15%: this run cannot tell.
    expect(verdictOf({ ...row, ratio: 1.2, ratioMin: 1.0, ratioMax: 1.5 })).toBe('NOISY')
    // Spread wide but every pair passes: it passes.
    expect(verdictOf({ ...row, ratio: 0.8, ratioMin: 0.6, ratioMax: 1.1 })).toBe('PASS')
    expect(verdictOf({ ...row, clientBound: true })).toBe('CLIENT-BOUND')
    expect(verdictOf({ ...row, skipped: true, value: Number.NaN })).toBe('SKIP')
    expect(verdictOf({ ...row, goal: undefined })).toBe('INFO')
    expect(verdictOf({ ...row, value: Number.NaN })).toBe('ERROR')
  })

  it('calls an absolute miss NOISY only when the baseline misses it too', () => {
    const p99 = { scenario: 'p99', unit: 'ms', goal: '<= 2x and < 100' }
    expect(verdictOf({ ...p99, baseline: 350, value: 420 })).toBe('NOISY')
    expect(verdictOf({ ...p99, baseline: 40, value: 120 })).toBe('FAIL')
    expect(verdictOf({ ...p99, baseline: 40, value: 60 })).toBe('PASS')
  })

  it('takes the median of per-pair ratios', () => {
    const s = pairStats([
      { baseline: 10, value: 12 },
      { baseline: 20, value: 20 },
      { baseline: 10, value: 30 },
    ])
    expect(s.ratio).toBe(1.2)
    expect([s.ratioMin, s.ratioMax]).toEqual([1, 3])
    expect(s.baseline).toBe(10)
  })
})
