import { del, get, patch, post, put, seg } from './client'
import type { ActionResponse, ApiToken, CreatedToken, CreatedUser, GatewayStatus, LogLevelState, PairingRequest, SecretInfo, Setting, UsageReport, UserInfo } from './types'

export const settings = {
  list: () => get<{ settings: Setting[] }>('/api/settings'),
  export: () => get<{ settings: Record<string, unknown> }>('/api/settings/export'),
  import: (values: Record<string, unknown>) => post<void>('/api/settings/import', { settings: values }),
  set: (key: string, value: unknown) => put<void>(`/api/settings/${seg(key)}`, { value }),
  remove: (key: string) => del<void>(`/api/settings/${seg(key)}`),
}

export const tokens = {
  list: () => get<{ tokens: ApiToken[] }>('/api/tokens'),
  create: (name: string, expiresInDays?: number) =>
    post<CreatedToken>('/api/tokens', { name, ...(expiresInDays ? { expires_in_days: expiresInDays } : {}) }),
  revoke: (id: string) => del<unknown>(`/api/tokens/${seg(id)}`),
}

export const profile = {
  get: () => get<UserInfo>('/api/profile'),
  update: (input: { display_name?: string }) => patch<UserInfo>('/api/profile', input),
}

export const admin = {
  users: () => get<{ users: UserInfo[] }>('/api/admin/users'),
  user: (id: string) => get<UserInfo>(`/api/admin/users/${seg(id)}`),
  createUser: (input: { display_name: string; email?: string; role: 'admin' | 'member' }) =>
    post<CreatedUser>('/api/admin/users', input),
  updateUser: (id: string, input: Partial<Pick<UserInfo, 'display_name' | 'email' | 'role'>>) => patch<UserInfo>(`/api/admin/users/${seg(id)}`, input),
  deleteUser: (id: string) => del<unknown>(`/api/admin/users/${seg(id)}`),
  suspend: (id: string) => post<unknown>(`/api/admin/users/${seg(id)}/suspend`),
  activate: (id: string) => post<unknown>(`/api/admin/users/${seg(id)}/activate`),
  usage: (period: 'day' | 'week' | 'month', userId?: string) => get<UsageReport>('/api/admin/usage', { period, user_id: userId }),
  secrets: (userId: string) => get<{ user_id?: string; secrets: SecretInfo[] }>(`/api/admin/users/${seg(userId)}/secrets`),
  setSecret: (userId: string, name: string, value: string) => put<unknown>(`/api/admin/users/${seg(userId)}/secrets/${seg(name)}`, { value }),
  deleteSecret: (userId: string, name: string) => del<unknown>(`/api/admin/users/${seg(userId)}/secrets/${seg(name)}`),
}

export const system = {
  status: () => get<GatewayStatus>('/api/gateway/status'),
  logLevel: () => get<LogLevelState>('/api/logs/level'),
  setLogLevel: (level: string) => put<LogLevelState>('/api/logs/level', { level }),
  pairing: (channel: string) => get<{ channel: string; requests: PairingRequest[] }>(`/api/pairing/${seg(channel)}`),
  approvePairing: (channel: string, code: string) => post<ActionResponse & { sender_id?: string }>(`/api/pairing/${seg(channel)}/approve`, { code }),
}
