/** A decision the user can send for a pending approval. */
export type ApprovalDecision = 'approve' | 'deny' | 'always'

/** Approve / Always allow / Deny for one pending approval, the same in the chat card and the inbox. */
export function ApprovalActions({ busy, allowAlways, answer }: { busy: boolean; allowAlways: boolean; answer: (action: ApprovalDecision) => Promise<void> }) {
  return (
    <div class="approval-actions">
      <button type="button" class="btn btn-primary" disabled={busy} onClick={() => void answer('approve')}>
        Approve
      </button>
      {allowAlways ? (
        <button type="button" class="btn btn-ghost" disabled={busy} onClick={() => void answer('always')}>
          Always allow
        </button>
      ) : null}
      <button type="button" class="btn btn-danger-ghost" disabled={busy} onClick={() => void answer('deny')}>
        Deny
      </button>
    </div>
  )
}
