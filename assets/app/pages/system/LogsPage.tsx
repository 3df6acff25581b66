import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import { api } from '../../api/index'
import { EventStream, type StreamState } from '../../api/event-stream'
import type { LogLine } from '../../api/types'
import { Icon } from '../../components/Icon'
import { ErrorNotice, useResource } from '../../components/Resource'
import { PageHeader, Spinner } from '../../components/ui'
import { attempt } from '../../state/toasts'

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const
const RANK: Record<string, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 }
const MAX_LINES = 2000

interface Line extends Omit<LogLine, 'level'> {
  /** Upper-cased; older servers may send TRACE or lower case. */
  level: string
  n: number
}

/** The gateway's live log (`/api/logs/events`), with the server's level and a local filter. */
export function LogsPage() {
  const level = useResource(() => api.system.logLevel(), [])
  // The level route tells whether logs exist here at all: no stream (and no retry loop) if not.
  if (level.error) {
    return (
      <div class="page">
        <PageHeader title="Logs" />
        <ErrorNotice error={level.error} retry={() => void level.reload()} />
      </div>
    )
  }
  if (!level.data) return <div class="loading-block"><Spinner /></div>
  return <LiveLogs level={level.data.level} reloadLevel={level.reload} />
}

function LiveLogs({ level: serverLevel, reloadLevel }: { level: string; reloadLevel: () => Promise<void> }) {
  const [lines, setLines] = useState<Line[]>([])
  const [state, setState] = useState<StreamState>('connecting')
  const [paused, setPaused] = useState(false)
  const [minLevel, setMinLevel] = useState('TRACE')
  const [filter, setFilter] = useState('')
  const view = useRef<HTMLDivElement>(null)
  const pinned = useRef(true)
  const pausedRef = useRef(false)
  pausedRef.current = paused

  useEffect(() => {
    let n = 0
    let withIds = false
    const stream = new EventStream({
      path: '/api/logs/events',
      eventTypes: ['log'],
      onEvent: (_type, data, id) => {
        if (id !== undefined) withIds = true
        if (pausedRef.current) return
        const entry = data as LogLine
        setLines((current) => {
          const next = [...current, { ...entry, level: String(entry.level).toUpperCase(), n: n++ }]
          return next.length > MAX_LINES ? next.slice(-MAX_LINES) : next
        })
      },
      onState: (s) => {
        setState(s)
        // Each connection replays recent lines; without ids to resume from, start the view afresh.
        if (s === 'open' && !withIds) setLines([])
      },
    })
    stream.start()
    return () => stream.stop()
  }, [])

  useLayoutEffect(() => {
    const el = view.current
    if (el && pinned.current) el.scrollTop = el.scrollHeight
  }, [lines])

  const q = filter.trim().toLowerCase()
  const shown = lines.filter((l) => (RANK[l.level] ?? 2) >= (RANK[minLevel] ?? 0) && (!q || l.message.toLowerCase().includes(q) || l.target.toLowerCase().includes(q)))

  return (
    <div class="page page-wide">
      <PageHeader
        title="Logs"
        subtitle={<span>Live from the gateway · {state === 'open' ? 'connected' : state}</span>}
        actions={
          <>
            {(
              <div class="field inline-field">
                <label class="label" for="server-level">Server level</label>
                <select
                  id="server-level"
                  value={serverLevel.toLowerCase()}
                  onChange={async (e) => {
                    const next = (e.target as HTMLSelectElement).value
                    if (await attempt(() => api.system.setLogLevel(next), `Log level set to ${next}`)) await reloadLevel()
                  }}
                >
                  {LEVELS.map((l) => (
                    <option key={l} value={l}>
                      {l}
                    </option>
                  ))}
                </select>
              </div>
            )}
          </>
        }
      />
      <div class="row toolbar">
        <label class="visually-hidden" for="log-filter">Filter lines</label>
        <input id="log-filter" type="search" class="grow" placeholder="Filter…" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
        <label class="visually-hidden" for="log-min">Show from level</label>
        <select id="log-min" class="auto" value={minLevel} onChange={(e) => setMinLevel((e.target as HTMLSelectElement).value)}>
          <option value="TRACE">all levels</option>
          <option value="DEBUG">debug and up</option>
          <option value="INFO">info and up</option>
          <option value="WARN">warnings and errors</option>
          <option value="ERROR">errors only</option>
        </select>
        <button type="button" class="btn" aria-pressed={paused} onClick={() => setPaused(!paused)}>
          <Icon name={paused ? 'play' : 'stop'} size={14} /> {paused ? 'Resume' : 'Pause'}
        </button>
        <button type="button" class="btn btn-ghost" onClick={() => setLines([])}>
          Clear
        </button>
      </div>
      <div
        class="log-view"
        ref={view}
        role="log"
        aria-label="Log lines"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget as HTMLDivElement
          pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40
        }}
      >
        {shown.length ? (
          shown.map((l) => (
            <div key={l.n} class="log-line">
              <time class="log-time" dateTime={l.timestamp} title={l.timestamp}>
                {l.timestamp.slice(11, 23)}
              </time>
              <span class={`lvl lvl-${l.level}`}>{l.level}</span>
              <span class="log-target" title={l.target}>
                {l.target}
              </span>
              <span class="log-msg">{l.message}</span>
            </div>
          ))
        ) : (
          <p class="muted pad">{state === 'open' ? 'Waiting for log lines…' : 'Connecting…'}</p>
        )}
      </div>
    </div>
  )
}
