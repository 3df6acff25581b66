import type { ComponentChildren } from 'preact'
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { ApiError } from '../api/client'
import { errorMessage } from '../state/toasts'
import { Icon } from './Icon'
import { Spinner } from './ui'

export interface Resource<T> {
  data: T | undefined
  error: ApiError | undefined
  loading: boolean
  reload: () => Promise<void>
  set: (data: T) => void
}

/** Loads data for a page; stale answers (after deps changed) are ignored. */
export function useResource<T>(load: () => Promise<T>, deps: unknown[] = []): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<ApiError | undefined>(undefined)
  const [loading, setLoading] = useState(true)
  const generation = useRef(0)
  const reload = useCallback(async () => {
    const mine = ++generation.current
    setLoading(true)
    try {
      const value = await load()
      if (mine !== generation.current) return
      setData(value)
      setError(undefined)
    } catch (e) {
      if (mine !== generation.current) return
      setError(e instanceof ApiError ? e : new ApiError(0, 'error', errorMessage(e)))
    } finally {
      if (mine === generation.current) setLoading(false)
    }
  }, deps)
  useEffect(() => {
    setData(undefined)
    void reload()
  }, [reload])
  return { data, error, loading, reload, set: setData }
}

const SUBSYSTEM_NAMES: Record<string, string> = {
  workspace: 'Memory', memory: 'Memory', jobs: 'Jobs', sandbox: 'Jobs', routines: 'Routines', skills: 'Skills',
  extensions: 'Extensions', settings: 'Settings', users: 'User management', logs: 'Live logs', threads: 'Conversation history',
  secrets: 'Secrets', usage: 'Usage accounting', agent: 'The agent', tools: 'The tool registry',
}

/** The calm "this part is switched off here" state for a 503 `<name>_unavailable`. */
export function Unavailable({ error }: { error: ApiError }) {
  if (error.routeMissing) {
    return (
      <div class="notice notice-off" role="status">
        <Icon name="shield" size={22} />
        <div>
          <p class="notice-title">Not available on this gateway</p>
          <p class="muted">This gateway does not offer this feature ({error.message.replace('No route for ', '')}).</p>
        </div>
      </div>
    )
  }
  const subsystem = error.code.replace(/_unavailable$/, '')
  const name = SUBSYSTEM_NAMES[subsystem] ?? subsystem.replace(/_/g, ' ')
  return (
    <div class="notice notice-off" role="status">
      <Icon name="shield" size={22} />
      <div>
        <p class="notice-title">{name} is not enabled on this gateway</p>
        <p class="muted">{error.message}</p>
      </div>
    </div>
  )
}

export function ErrorNotice({ error, retry }: { error: ApiError; retry?: () => void }) {
  if (error.unavailable) return <Unavailable error={error} />
  return (
    <div class="notice notice-error" role="alert">
      <Icon name="alert" size={22} />
      <div>
        <p class="notice-title">{error.status === 403 ? 'Not allowed' : error.status === 404 ? 'Not found' : 'Something went wrong'}</p>
        <p class="muted">{error.message}</p>
      </div>
      {retry ? (
        <button type="button" class="btn btn-ghost" onClick={retry}>
          <Icon name="refresh" /> Retry
        </button>
      ) : null}
    </div>
  )
}

/** Renders a resource: spinner, error/unavailable notice, or its data. */
export function Loadable<T>({ resource, children }: { resource: Resource<T>; children: (data: T) => ComponentChildren }) {
  if (resource.data !== undefined) return <>{children(resource.data)}</>
  if (resource.error) return <ErrorNotice error={resource.error} retry={() => void resource.reload()} />
  return (
    <div class="loading-block">
      <Spinner />
    </div>
  )
}
