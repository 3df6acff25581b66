import { del, get, patch, post, request, seg } from './client'
import type {
  JobCancelled, JobDetail, JobEventList, JobList, JobPromptAccepted, JobRestarted, JobSummary, MemoryDeleteResponse, MemoryDocument,
  MemoryListResponse, MemoryMoveResponse, MemorySearchResponse, MemoryTreeResponse, MemoryUploadResponse, MemoryWriteResponse, RoutineDeleted, RoutineDetail,
  RoutineInput, RoutineList, RoutineRuns, RoutineSummary, RoutineToggled, RoutineTriggered, RoutineUpdate, WorkspaceFile, WorkspaceListing,
} from './types'

export const memory = {
  tree: () => get<MemoryTreeResponse>('/api/memory/tree'),
  list: (path = '') => get<MemoryListResponse>('/api/memory/list', { path }),
  read: (path: string) => get<MemoryDocument>('/api/memory/read', { path }),
  /** `expectedUpdatedAt`: the version the editor started from (409 if it changed since; null = must not exist). */
  write: (path: string, content: string, expectedUpdatedAt?: string | null) =>
    post<MemoryWriteResponse>('/api/memory/write', { path, content, ...(expectedUpdatedAt !== undefined ? { expected_updated_at: expectedUpdatedAt } : {}) }),
  remove: (path: string, recursive = false) => request<MemoryDeleteResponse>('DELETE', '/api/memory', { query: { path, recursive: recursive ? 'true' : 'false' } }),
  move: (from: string, to: string) => post<MemoryMoveResponse>('/api/memory/move', { from, to }),
  search: (query: string, limit = 20) => post<MemorySearchResponse>('/api/memory/search', { query, limit }),
  /** Files into memory (PDF, DOCX, Markdown, text); the gateway extracts and indexes their text. */
  upload: (files: File[], folder?: string) => {
    const form = new FormData()
    if (folder) form.set('folder', folder)
    for (const file of files) form.append('file', file, file.name)
    return request<MemoryUploadResponse>('POST', '/api/memory/upload', { form })
  },
}

export const jobs = {
  list: () => get<JobList>('/api/jobs'),
  summary: () => get<JobSummary>('/api/jobs/summary'),
  detail: (id: string) => get<JobDetail>(`/api/jobs/${seg(id)}`),
  create: (input: { prompt: string; title?: string }) => post<JobDetail>('/api/jobs', input),
  events: (id: string) => get<JobEventList>(`/api/jobs/${seg(id)}/events`),
  cancel: (id: string) => post<JobCancelled>(`/api/jobs/${seg(id)}/cancel`),
  restart: (id: string) => post<JobRestarted>(`/api/jobs/${seg(id)}/restart`),
  prompt: (id: string, content: string, done = false) => post<JobPromptAccepted>(`/api/jobs/${seg(id)}/prompt`, { content, done }),
  files: (id: string, path = '') => get<WorkspaceListing>(`/api/jobs/${seg(id)}/files/list`, { path }),
  file: (id: string, path: string) => get<WorkspaceFile>(`/api/jobs/${seg(id)}/files/read`, { path }),
}

export const routines = {
  list: () => get<RoutineList>('/api/routines'),
  summary: () => get<RoutineSummary>('/api/routines/summary'),
  detail: (id: string) => get<RoutineDetail>(`/api/routines/${seg(id)}`),
  runs: (id: string) => get<RoutineRuns>(`/api/routines/${seg(id)}/runs`),
  create: (input: RoutineInput) => post<RoutineDetail>('/api/routines', input),
  update: (id: string, input: RoutineUpdate) => patch<RoutineDetail>(`/api/routines/${seg(id)}`, input),
  trigger: (id: string) => post<RoutineTriggered>(`/api/routines/${seg(id)}/trigger`),
  toggle: (id: string, enabled?: boolean) => post<RoutineToggled>(`/api/routines/${seg(id)}/toggle`, enabled === undefined ? {} : { enabled }),
  remove: (id: string) => del<RoutineDeleted>(`/api/routines/${seg(id)}`),
}
