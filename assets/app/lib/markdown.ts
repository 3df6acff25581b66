import DOMPurify from 'dompurify'
import { Marked, type Tokens } from 'marked'
import { escapeHtml, highlight } from './highlight'

/**
 * Markdown from the agent, rendered safely. Three layers: raw HTML in the markdown is shown as
 * text (never parsed), code is highlighted from escaped text, and the result goes through
 * DOMPurify (HTML profile: no SVG/MathML, no handlers), whose hook keeps only http(s)/mailto and
 * in-app links and turns remote images into links (no request leaves the page on render).
 */
const marked = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    html: ({ text }: Tokens.HTML | Tokens.Tag) => escapeHtml(text),
    code: ({ text, lang }: Tokens.Code) => {
      const { html, language } = highlight(text, lang?.split(/\s/)[0])
      const label = `<span class="code-lang">${language ? escapeHtml(language) : 'text'}</span>`
      return `<div class="code-block"><div class="code-head">${label}</div><pre class="code"><code class="hljs${language ? ` language-${language}` : ''}">${html}</code></pre></div>`
    },
  },
})

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:'])

/** The URL when it is safe to link to (absolute http(s)/mailto, or an in-app `#` route), else null. */
export function safeUrl(raw: string | null): URL | null {
  if (!raw) return null
  // Browsers ignore tabs, newlines and leading spaces/controls in URLs ("java\tscript:").
  const cleaned = raw.replace(/[\u0000-\u0020\u007f-\u009f]/g, '')
  try {
    const url = new URL(cleaned, location.href)
    if (!SAFE_PROTOCOLS.has(url.protocol)) return null
    return url
  } catch {
    return null
  }
}

const purify = DOMPurify(window)
purify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    const url = safeUrl(node.getAttribute('href'))
    if (!url) {
      node.removeAttribute('href')
      return
    }
    if (url.origin !== location.origin) {
      node.setAttribute('target', '_blank')
      node.setAttribute('rel', 'noopener noreferrer nofollow')
    } else node.removeAttribute('target')
  }
  if (node.tagName === 'IMG') {
    const src = node.getAttribute('src') ?? ''
    // Only inline images render; a remote one could report that the page was viewed (and what).
    if (!/^data:image\/(png|jpeg|gif|webp);base64,/i.test(src)) {
      node.removeAttribute('src')
      node.removeAttribute('srcset')
      node.setAttribute('data-remote', safeUrl(src)?.href ?? '')
    }
    node.setAttribute('loading', 'lazy')
  }
})

const PURIFY_OPTIONS: import('dompurify').Config & { RETURN_DOM_FRAGMENT: true } = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'frame', 'object', 'embed', 'base', 'meta', 'link'],
  FORBID_ATTR: ['style', 'srcset', 'formaction', 'action'],
  ALLOW_DATA_ATTR: false,
  RETURN_DOM_FRAGMENT: true,
}

/** Markdown to a sanitised DOM fragment (no HTML string is ever assigned to innerHTML). */
export function renderMarkdown(markdown: string): DocumentFragment {
  const html = marked.parse(markdown) as string
  const fragment = purify.sanitize(html, PURIFY_OPTIONS)
  // Remote images become plain links to them.
  for (const img of fragment.querySelectorAll('img[data-remote]')) {
    const href = img.getAttribute('data-remote')
    const a = document.createElement('a')
    a.textContent = `🖼 ${img.getAttribute('alt') || 'image'}`
    if (href) {
      a.href = href
      a.target = '_blank'
      a.rel = 'noopener noreferrer nofollow'
    }
    img.replaceWith(a)
  }
  return fragment
}
