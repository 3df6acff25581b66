import { useState } from 'preact/hooks'
import { ApprovalActions, type ApprovalDecision } from '../../components/ApprovalActions'
import { Icon } from '../../components/Icon'
import type { ApprovalView } from '../../lib/turns'
import { answerApproval } from '../../state/chat'
import { timeAgo } from '../../lib/format'

const RESOLVED: Record<string, string> = {
  approve: 'Approved',
  always: 'Approved (always allowed from now on)',
  deny: 'Denied',
  expired: 'Expired',
  cancelled: 'Cancelled',
  answered: 'Answered elsewhere',
}

/** A paused tool call: approve, always allow, or deny. Clears when answered from any tab. */
export function ApprovalCard({ approval, threadId }: { approval: ApprovalView; threadId: string }) {
  const [busy, setBusy] = useState(false)
  if (approval.resolved) {
    return (
      <div class={`approval-card resolved resolved-${approval.resolved}`} data-request-id={approval.request_id}>
        <Icon name={approval.resolved === 'deny' ? 'close' : 'check'} size={16} />
        <span>
          <strong>{approval.tool_name}</strong>: {RESOLVED[approval.resolved] ?? approval.resolved}
        </span>
      </div>
    )
  }
  const answer = async (action: ApprovalDecision) => {
    setBusy(true)
    await answerApproval(approval.request_id, action, approval.thread_id ?? threadId)
    setBusy(false)
  }
  return (
    <section class="approval-card" aria-label={`Approval needed for ${approval.tool_name}`} data-request-id={approval.request_id}>
      <header>
        <Icon name="shield" size={18} />
        <span>
          <strong>{approval.tool_name}</strong> wants to run
        </span>
      </header>
      {approval.description ? <p class="approval-desc">{approval.description}</p> : null}
      {approval.parameters ? <pre class="tool-pre">{approval.parameters}</pre> : null}
      {approval.expires_at ? <p class="muted small approval-expiry">Expires {timeAgo(approval.expires_at)} if not answered</p> : null}
      <ApprovalActions busy={busy} allowAlways={approval.decisions ? approval.decisions.includes('always') : approval.allow_always} answer={answer} />
    </section>
  )
}
