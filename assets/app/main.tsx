import { render } from 'preact'
import { App } from './app'
import { startChat, stopChat } from './state/chat'
import { onSessionChange, restoreSession } from './state/session'
import { initTheme } from './state/theme'

initTheme()
onSessionChange((who) => {
  if (who) startChat()
  else stopChat()
})
const root = document.getElementById('app')!
render(<App />, root)
void restoreSession().then(() => performance.mark('gateway:ready'))
