import { render } from 'preact'
import { App } from './components/App'
import { store } from './store'
import './styles.css'

void store.boot()
addEventListener('online', () => store.reconnectNow())
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) store.reconnectNow()
})
render(<App />, document.getElementById('app')!)
