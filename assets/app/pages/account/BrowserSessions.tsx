import { api } from '../../api/index'
import type { SessionInfo } from '../../api/types'
import { confirmAction } from '../../components/Dialog'
import { ErrorNotice, Loadable, useResource } from '../../components/Resource'
import { Badge, EmptyState } from '../../components/ui'
import { dateTime, timeAgo } from '../../lib/format'
import { signOut } from '../../state/session'
import { attempt } from '../../state/toasts'

const METHOD: Record<SessionInfo['method'], string> = { token: 'pasted token', proxy: 'trusted proxy', oidc: 'single sign-on' }

/** The caller's signed-in browsers (cookie sessions): how each signed in, when last used, end any. */
export function BrowserSessions() {
  const sessions = useResource(() => api.auth.sessions(), [])
  if (sessions.error?.unavailable) return null
  return (
    <>
      <h2 class="section-title">Browser sessions</h2>
      {sessions.error ? (
        <ErrorNotice error={sessions.error} />
      ) : (
        <div class="card">
          <Loadable resource={sessions}>
            {(data) =>
              data.sessions.length ? (
                <div class="table-wrap">
                  <table class="table" aria-label="Browser sessions">
                    <thead>
                      <tr>
                        <th>Signed in with</th>
                        <th>Browser</th>
                        <th>Signed in</th>
                        <th>Last used</th>
                        <th>Ends</th>
                        <th>
                          <span class="visually-hidden">Actions</span>
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.sessions.map((s) => (
                        <tr key={s.id}>
                          <td>
                            {METHOD[s.method]} {s.current ? <Badge tone="good">this browser</Badge> : null}
                            {s.subject ? <div class="muted truncate">{s.subject}</div> : null}
                          </td>
                          <td class="muted truncate" title={s.user_agent ?? ''}>{browserName(s.user_agent)}</td>
                          <td class="muted nowrap">{timeAgo(s.created_at)}</td>
                          <td class="muted nowrap">{timeAgo(s.last_seen_at)}</td>
                          <td class="muted nowrap">{dateTime(s.idle_expires_at < s.expires_at ? s.idle_expires_at : s.expires_at)}</td>
                          <td>
                            <div class="cell-actions">
                              <button
                                type="button"
                                class="btn btn-small btn-danger-ghost"
                                onClick={async () => {
                                  const what = s.current ? 'This signs this browser out.' : 'That browser is signed out at once.'
                                  if (!(await confirmAction(`End this session? ${what}`, { confirm: 'End session' }))) return
                                  if (!(await attempt(() => api.auth.revokeSession(s.id), 'Session ended'))) return
                                  if (s.current) signOut('You ended this browser session.')
                                  else await sessions.reload()
                                }}
                              >
                                End
                              </button>
                            </div>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              ) : (
                <EmptyState icon="tokens" title="No browser sessions">
                  This tab keeps its token to itself.
                </EmptyState>
              )
            }
          </Loadable>
        </div>
      )}
    </>
  )
}

/** A short name for a User-Agent string. */
function browserName(agent: string | null): string {
  if (!agent) return 'unknown'
  const match = /(Edg|Firefox|Chrome|Safari)\/[\d.]+/.exec(agent)
  const name = match ? { Edg: 'Edge', Firefox: 'Firefox', Chrome: 'Chrome', Safari: 'Safari' }[match[1] as 'Edg'] : agent.slice(0, 40)
  const os = /Windows|Mac OS X|Android|iPhone|Linux/.exec(agent)?.[0]
  return os ? `${name} on ${os.replace('Mac OS X', 'macOS')}` : name
}
