import { useLayoutEffect, useRef } from 'preact/hooks'
import { renderMarkdown } from '../lib/markdown'
import { toast } from '../state/toasts'

/**
 * Agent markdown, sanitised (`renderMarkdown`) and inserted as DOM nodes. Code blocks get a copy
 * button. Re-renders at most once per animation frame while an answer streams in.
 */
export function Markdown({ text, class: className }: { text: string; class?: string }) {
  const ref = useRef<HTMLDivElement>(null)
  const frame = useRef<number>(0)
  useLayoutEffect(() => {
    const el = ref.current
    if (!el) return
    const paint = () => {
      el.replaceChildren(renderMarkdown(text))
      for (const block of el.querySelectorAll('.code-block')) {
        const button = document.createElement('button')
        button.type = 'button'
        button.className = 'copy-code'
        button.textContent = 'Copy'
        button.setAttribute('aria-label', 'Copy code')
        button.addEventListener('click', () => {
          const code = block.querySelector('code')?.textContent ?? ''
          navigator.clipboard?.writeText(code).then(
            () => {
              button.textContent = 'Copied'
              setTimeout(() => (button.textContent = 'Copy'), 1500)
            },
            () => toast('Copy failed: the browser refused clipboard access', 'error'),
          )
        })
        block.querySelector('.code-head')?.append(button)
      }
    }
    if (!el.childNodes.length) paint()
    else {
      cancelAnimationFrame(frame.current)
      frame.current = requestAnimationFrame(paint)
    }
    return () => cancelAnimationFrame(frame.current)
  }, [text])
  return <div ref={ref} class={`markdown${className ? ` ${className}` : ''}`} />
}
