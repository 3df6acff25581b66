import { del, get, patch, post, put, seg } from './client'
import type {
  CreatedToken, CreatedUser, GatewayStatus, LogLevelState, PairingApproved, PairingList, SecretDeleted, SecretList, SecretStored, SettingsList, SettingsMap,
  TokenList, TokenRevoked, UsageReport, User, UserDeleted, UserList, UserStatusChanged,
} from './types'

export const settings = {
  list: () => get<SettingsList>('/api/settings'),
  export: () => get<SettingsMap>('/api/settings/export'),
  import: (values: Record<string, unknown>) => post<void>('/api/settings/import', { settings: values }),
  set: (key: string, value: unknown) => put<void>(`/api/settings/${seg(key)}`, { value }),
  remove: (key: string) => del<void>(`/api/settings/${seg(key)}`),
}

export const tokens = {
  list: () => get<TokenList>('/api/tokens'),
  create: (name: string, expiresInDays?: number) =>
    post<CreatedToken>('/api/tokens', { name, ...(expiresInDays ? { expires_in_days: expiresInDays } : {}) }),
  revoke: (id: string) => del<TokenRevoked>(`/api/tokens/${seg(id)}`),
}

export const profile = {
  get: () => get<User>('/api/profile'),
  update: (input: { display_name?: string }) => patch<User>('/api/profile', input),
}

export const admin = {
  users: () => get<UserList>('/api/admin/users'),
  user: (id: string) => get<User>(`/api/admin/users/${seg(id)}`),
  createUser: (input: { display_name: string; email?: string; role: 'admin' | 'member' }) =>
    post<CreatedUser>('/api/admin/users', input),
  updateUser: (id: string, input: Partial<Pick<User, 'display_name' | 'email' | 'role'>>) => patch<User>(`/api/admin/users/${seg(id)}`, input),
  deleteUser: (id: string) => del<UserDeleted>(`/api/admin/users/${seg(id)}`),
  suspend: (id: string) => post<UserStatusChanged>(`/api/admin/users/${seg(id)}/suspend`),
  activate: (id: string) => post<UserStatusChanged>(`/api/admin/users/${seg(id)}/activate`),
  usage: (period: 'day' | 'week' | 'month', userId?: string) => get<UsageReport>('/api/admin/usage', { period, user_id: userId }),
  secrets: (userId: string) => get<SecretList>(`/api/admin/users/${seg(userId)}/secrets`),
  setSecret: (userId: string, name: string, value: string) => put<SecretStored>(`/api/admin/users/${seg(userId)}/secrets/${seg(name)}`, { value }),
  deleteSecret: (userId: string, name: string) => del<SecretDeleted>(`/api/admin/users/${seg(userId)}/secrets/${seg(name)}`),
}

export const system = {
  status: () => get<GatewayStatus>('/api/gateway/status'),
  logLevel: () => get<LogLevelState>('/api/logs/level'),
  setLogLevel: (level: string) => put<LogLevelState>('/api/logs/level', { level }),
  pairing: (channel: string) => get<PairingList>(`/api/pairing/${seg(channel)}`),
  approvePairing: (channel: string, code: string) => post<PairingApproved>(`/api/pairing/${seg(channel)}/approve`, { code }),
}
