import { useEffect, useState } from 'preact/hooks'
import { api } from '../../api/index'
import type { ApprovalInfo, ApprovalListStatus } from '../../api/types'
import { ApprovalActions, type ApprovalDecision } from '../../components/ApprovalActions'
import { Icon } from '../../components/Icon'
import { ErrorNotice, Loadable, useResource } from '../../components/Resource'
import { EmptyState, PageHeader, StatusBadge } from '../../components/ui'
import { timeAgo } from '../../lib/format'
import { inbox, loadInbox } from '../../state/approvals'
import { answerApproval, onAppEvent } from '../../state/chat'
import { link, navigate, route } from '../../state/router'

const TABS: Array<{ status: ApprovalListStatus; label: string }> = [
  { status: 'pending', label: 'Waiting' },
  { status: 'resolved', label: 'Answered' },
  { status: 'expired', label: 'Expired' },
]

const DECISION: Record<string, string> = {
  approve: 'Approved', always: 'Always allowed', deny: 'Denied', cancelled: 'Cancelled', expired: 'Expired',
}

/** Every tool call that waits for (or waited for) the user, in all their threads: answer them here or open the thread. */
export function ApprovalsPage() {
  const param = route.value.query.get('status')
  const status: ApprovalListStatus = param === 'resolved' || param === 'expired' ? param : 'pending'
  const list = useResource(() => api.chat.approvals(status), [status])
  // Answers from any tab, device or instance, new requests and expiries show up without a reload.
  useEffect(
    () =>
      onAppEvent((type) => {
        if (type === 'approval_needed' || type === 'approval_resolved' || type === 'approval_expired') void list.reload()
      }),
    [status],
  )
  const go = (next: ApprovalListStatus) => navigate(`/approvals${next === 'pending' ? '' : `?status=${next}`}`)
  const waiting = inbox.value?.pending_count ?? 0
  return (
    <div class="page">
      <PageHeader
        title="Approvals"
        subtitle="Tool calls the agent paused on, from every conversation. Unanswered ones expire, and their turn ends."
        actions={
          <button type="button" class="btn" onClick={() => void Promise.all([list.reload(), loadInbox()])}>
            <Icon name="refresh" size={16} /> Refresh
          </button>
        }
      />
      <div class="tabs" role="tablist">
        {TABS.map((t) => (
          <button key={t.status} type="button" role="tab" aria-selected={status === t.status} class={status === t.status ? 'active' : ''} onClick={() => go(t.status)}>
            {t.label}
            {t.status === 'pending' && waiting > 0 ? <span class="count">{waiting}</span> : null}
          </button>
        ))}
      </div>
      {list.error?.unavailable ? (
        <ErrorNotice error={list.error} />
      ) : (
        <Loadable resource={list}>
          {(data) =>
            data.approvals.length ? (
              <ul class="approval-inbox">
                {data.approvals.map((a) => (
                  <InboxItem key={a.request_id} approval={a} onAnswered={() => void list.reload()} />
                ))}
              </ul>
            ) : (
              <EmptyState icon="shield" title={status === 'pending' ? 'Nothing waits for your approval' : status === 'resolved' ? 'No answered approvals yet' : 'No expired approvals'} />
            )
          }
        </Loadable>
      )}
    </div>
  )
}

function InboxItem({ approval: a, onAnswered }: { approval: ApprovalInfo; onAnswered: () => void }) {
  const [busy, setBusy] = useState(false)
  const answer = async (action: ApprovalDecision) => {
    setBusy(true)
    await answerApproval(a.request_id, action, a.thread_id)
    setBusy(false)
    onAnswered()
  }
  return (
    <li class="card approval-item" data-request-id={a.request_id} aria-label={`Approval for ${a.tool_name}`}>
      <header>
        <Icon name="shield" size={18} />
        <strong>{a.tool_name}</strong>
        {a.status === 'pending' ? null : <StatusBadge status={DECISION[a.decision ?? ''] ?? a.status} />}
        <a class="approval-thread" href={link(`/chat/${a.thread_id}`)}>
          {a.thread_title ?? 'Conversation'}
        </a>
      </header>
      {a.description ? <p class="approval-desc">{a.description}</p> : null}
      <pre class="tool-pre">{a.parameters_preview}</pre>
      <p class="muted small">
        Asked {timeAgo(a.created_at)}
        {a.status === 'pending' && a.expires_at ? ` · expires ${timeAgo(a.expires_at)}` : ''}
        {a.resolved_at ? ` · ${a.status === 'expired' ? 'expired' : 'answered'} ${timeAgo(a.resolved_at)}` : ''}
      </p>
      {a.status === 'pending' ? (
        <ApprovalActions busy={busy} allowAlways={a.decisions.includes('always')} answer={answer} />
      ) : null}
    </li>
  )
}
