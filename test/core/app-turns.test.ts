import { describe, expect, it } from 'vitest'
import type { TurnInfo } from '../../assets/app/api/types'
import { type LiveTurn, mergeTurns } from '../../assets/app/lib/turns'

/** The web app's rule for showing stored and live turns together: each turn exactly once. */
const stored = (user_input: string, response: string | null, state: TurnInfo['state'] = response === null ? 'processing' : 'completed'): TurnInfo => ({
  id: `turn-${user_input}`,
  turn_number: 0,
  image_count: 0,
  error: null,
  user_input,
  response,
  state,
  started_at: `2026-01-01T00:00:0${user_input.length % 10}.000Z`,
  completed_at: response === null ? null : '2026-01-01T00:00:09.000Z',
  tool_calls: [],
})
let n = 0
const live = (fields: Partial<LiveTurn> & Pick<LiveTurn, 'text' | 'status'>): LiveTurn => ({
  key: `l${n++}`,
  threadId: 't',
  tools: [],
  approvals: [],
  startedAt: '2026-01-01T00:00:00.000Z',
  ...fields,
})

describe('mergeTurns', () => {
  it('shows a finished live turn from history once history has it, keeping what only the stream knew', () => {
    const turn = live({ userInput: 'hi', text: 'Hello  there', status: 'done', cost: { input_tokens: 1, output_tokens: 2, cost_usd: '0.01' } })
    const { turns, consumed } = mergeTurns([stored('older', 'ok'), stored('hi', 'Hello there')], [turn])
    expect(turns.map((t) => t.text)).toEqual(['ok', 'Hello there'])
    expect(turns[1]!.cost?.cost_usd).toBe('0.01')
    expect(consumed).toEqual([turn.key])
  })

  it('replaces the stored copy of a running turn with the live one', () => {
    const turn = live({ userInput: 'write', text: 'Once upon', status: 'streaming' })
    const { turns, consumed } = mergeTurns([stored('older', 'ok'), stored('write', null)], [turn])
    expect(turns.map((t) => [t.userInput, t.text, t.live])).toEqual([
      ['older', 'ok', false],
      ['write', 'Once upon', true],
    ])
    expect(consumed).toEqual([])
  })

  it('shows a live turn that finished in place of its stored copy read while it ran', () => {
    const turn = live({ userInput: 'count', text: 'one two three', status: 'done' })
    const { turns, consumed } = mergeTurns([stored('older', 'ok'), stored('count', null)], [turn])
    expect(turns.map((t) => [t.userInput, t.text, t.status])).toEqual([
      ['older', 'ok', 'done'],
      ['count', 'one two three', 'done'],
    ])
    expect(consumed).toEqual([])
  })

  it('appends live turns history does not have yet', () => {
    const turn = live({ userInput: 'new', text: '', status: 'sending' })
    expect(mergeTurns([stored('older', 'ok')], [turn]).turns.map((t) => t.userInput)).toEqual(['older', 'new'])
    const done = live({ userInput: 'again', text: 'different answer', status: 'done' })
    const merged = mergeTurns([stored('again', 'first answer')], [done])
    expect(merged.turns.map((t) => t.text)).toEqual(['first answer', 'different answer'])
    expect(merged.consumed).toEqual([])
  })

  it('matches a turn started in another tab (input unknown) to the unfinished stored turn', () => {
    const turn = live({ text: 'partial', status: 'streaming' })
    const { turns } = mergeTurns([stored('elsewhere', null)], [turn])
    expect(turns).toHaveLength(1)
    expect(turns[0]).toMatchObject({ userInput: 'elsewhere', text: 'partial', live: true })
  })

  it('prefers the stored copy when it finished before this tab saw the end', () => {
    const turn = live({ userInput: 'q', text: 'par', status: 'streaming' })
    const { turns } = mergeTurns([stored('q', 'partial answer, complete')], [turn])
    expect(turns.map((t) => t.text)).toEqual(['partial answer, complete'])
  })

  it('keeps the order of several live turns against history', () => {
    const a = live({ userInput: 'a', text: 'A', status: 'done' })
    const b = live({ userInput: 'b', text: 'B so far', status: 'streaming' })
    const { turns, consumed } = mergeTurns([stored('x', 'X'), stored('a', 'A'), stored('b', null)], [a, b])
    expect(turns.map((t) => `${t.userInput}:${t.text}`)).toEqual(['x:X', 'a:A', 'b:B so far'])
    expect(consumed).toEqual([a.key])
  })
})
