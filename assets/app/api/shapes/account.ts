/** Settings, tokens, users, usage, secrets, pairing and logs (contract §12-§14, Appendix B). */
// ---- settings (§12), tokens, users (Appendix B) ----
export interface Setting {
  key: string
  value: unknown
  updated_at: string
}
export interface ApiToken {
  id: string
  name: string
  token_prefix: string
  created_at: string
  expires_at: string | null
  last_used_at: string | null
  revoked_at?: string | null
}
export interface CreatedToken {
  token: string
  id?: string
  name?: string
  token_prefix?: string
  expires_at?: string | null
}
export interface UserInfo {
  id: string
  email: string | null
  display_name: string | null
  status: string
  role: 'admin' | 'member'
  /** The owner of the configured token: always an active admin. */
  is_owner?: boolean
  created_at: string
  updated_at?: string
  last_login_at?: string | null
  created_by?: string | null
  metadata?: Record<string, unknown>
}
export interface UsageRow {
  user_id: string
  model?: string
  display_name?: string | null
  call_count: number
  input_tokens: number
  output_tokens: number
  total_cost: string
}
export interface UsageReport {
  period: string
  since?: string
  usage: UsageRow[]
  users?: UsageRow[]
}
export interface SecretInfo {
  name: string
  provider?: string | null
  expires_at?: string | null
  created_at?: string
  updated_at?: string
}
export interface PairingRequest {
  code: string
  sender_id: string
  meta?: Record<string, unknown>
  created_at: string
  expires_at?: string
}

// ---- logs (§13) ----
export interface LogLevelState {
  level: string
  changed_by?: string | null
  changed_at?: string | null
}
export interface LogEntry {
  level: string
  target: string
  message: string
  timestamp: string
}
