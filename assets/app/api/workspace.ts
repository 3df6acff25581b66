import { del, get, patch, post, request, seg } from './client'
import type {
  JobDetail, JobEvent, JobFile, JobFileEntry, JobInfo, JobSummary, MemoryEntry, MemoryFile, MemorySearchResult, MemoryTree,
  RoutineDetail, RoutineInfo, RoutineInput, RoutineRun, RoutineSummary, RoutineUpdate,
} from './types'

export const memory = {
  tree: () => get<MemoryTree>('/api/memory/tree'),
  list: (path = '') => get<{ path: string; entries: MemoryEntry[] }>('/api/memory/list', { path }),
  read: (path: string) => get<MemoryFile>('/api/memory/read', { path }),
  /** `expectedUpdatedAt`: the version the editor started from (409 if it changed since; null = must not exist). */
  write: (path: string, content: string, expectedUpdatedAt?: string | null) =>
    post<{ path: string; status: string; updated_at?: string }>('/api/memory/write', { path, content, ...(expectedUpdatedAt !== undefined ? { expected_updated_at: expectedUpdatedAt } : {}) }),
  remove: (path: string, recursive = false) => request<{ deleted: number }>('DELETE', '/api/memory', { query: { path, recursive: recursive ? 'true' : 'false' } }),
  move: (from: string, to: string) => post<{ from: string; to: string; moved: number }>('/api/memory/move', { from, to }),
  search: (query: string, limit = 20) => post<MemorySearchResult>('/api/memory/search', { query, limit }),
}

export const jobs = {
  list: () => get<{ jobs: JobInfo[] }>('/api/jobs'),
  summary: () => get<JobSummary>('/api/jobs/summary'),
  detail: (id: string) => get<JobDetail>(`/api/jobs/${seg(id)}`),
  create: (input: { prompt: string; title?: string }) => post<JobDetail>('/api/jobs', input),
  events: (id: string) => get<{ job_id: string; events: JobEvent[] }>(`/api/jobs/${seg(id)}/events`),
  cancel: (id: string) => post<{ status: string }>(`/api/jobs/${seg(id)}/cancel`),
  restart: (id: string) => post<{ status: string; new_job_id: string }>(`/api/jobs/${seg(id)}/restart`),
  prompt: (id: string, content: string, done = false) => post<{ status: string }>(`/api/jobs/${seg(id)}/prompt`, { content, done }),
  files: (id: string, path = '') => get<{ entries: JobFileEntry[] }>(`/api/jobs/${seg(id)}/files/list`, { path }),
  file: (id: string, path: string) => get<JobFile>(`/api/jobs/${seg(id)}/files/read`, { path }),
}

export const routines = {
  list: () => get<{ routines: RoutineInfo[] }>('/api/routines'),
  summary: () => get<RoutineSummary>('/api/routines/summary'),
  detail: (id: string) => get<RoutineDetail>(`/api/routines/${seg(id)}`),
  runs: (id: string) => get<{ routine_id: string; runs: RoutineRun[] }>(`/api/routines/${seg(id)}/runs`),
  create: (input: RoutineInput) => post<RoutineDetail>('/api/routines', input),
  update: (id: string, input: RoutineUpdate) => patch<RoutineDetail>(`/api/routines/${seg(id)}`, input),
  trigger: (id: string) => post<{ status: string; run_id: string }>(`/api/routines/${seg(id)}/trigger`),
  toggle: (id: string, enabled?: boolean) => post<{ status: string; next_fire_at: string | null }>(`/api/routines/${seg(id)}/toggle`, enabled === undefined ? {} : { enabled }),
  remove: (id: string) => del<{ status: string }>(`/api/routines/${seg(id)}`),
}
