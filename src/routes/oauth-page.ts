const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;background:#f6f7f9;color:#1d2330}' +
  'main{max-width:28rem;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 1px 4px #0002}' +
  'h1{font-size:1.4rem;margin:0 0 .5rem}.ok h1{color:#17733a}.fail h1{color:#b42318}a{color:#2656c9}'

let styleHash: Promise<string> | undefined

/** The CSP hash of the page's one inline style (computed once). */
function styleSource(): Promise<string> {
  styleHash ??= crypto.subtle.digest('SHA-256', new TextEncoder().encode(STYLE)).then((digest) => {
    let binary = ''
    for (const b of new Uint8Array(digest)) binary += String.fromCharCode(b)
    return `'sha256-${btoa(binary)}'`
  })
  return styleHash
}

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (ch) => `&#${ch.charCodeAt(0)};`)
}

/**
 * The page `/oauth/callback` shows: everything it prints is escaped, and its CSP allows nothing
 * but its own hashed style (no script, no frames, no forms, no base URL), so even a provider's
 * hostile `error` text cannot run or exfiltrate anything.
 */
export async function renderOAuthPage(outcome: { ok: boolean; title: string; message: string; redirectAfter: string }): Promise<{ html: string; csp: string }> {
  const csp = ["default-src 'none'", `style-src ${await styleSource()}`, "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"].join('; ')
  const back = escapeHtml(outcome.redirectAfter)
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(outcome.title)}</title>
<style>${STYLE}</style>
</head>
<body class="${outcome.ok ? 'ok' : 'fail'}">
<main>
<h1>${escapeHtml(outcome.title)}</h1>
<p>${escapeHtml(outcome.message)}</p>
<p><a href="${back}">Return to the app</a></p>
</main>
</body>
</html>
`
  return { html, csp }
}
