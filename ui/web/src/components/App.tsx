import { useEffect, useRef } from 'preact/hooks'
import { chime, notify } from '../alert'
import { go, useRoute, useStore } from '../hooks'
import { store } from '../store'
import { t } from '../strings'
import { Canned } from './Canned'
import { Companies } from './Companies'
import { Contacts } from './Contacts'
import { Lazy } from './Lazy'
import { ConversationPane } from './Conversation'
import { History } from './History'
import { Inbox } from './Inbox'
import { Jobs } from './Jobs'
import { Lists } from './Lists'
import { Schedules } from './Schedules'
import { Login } from './Login'
import { Nav } from './Nav'
import { Queues } from './Queues'
import { Staff } from './Staff'
import { WhatsApp } from './WhatsApp'
import type { Tab } from '../types'
import { TABS } from '../types'

export function App() {
  const s = useStore()
  const route = useRoute()
  const audio = useRef<AudioContext | null>(null)

  // Browsers allow sound only after a gesture: make the AudioContext on the first one.
  const gesture = () => {
    if (!audio.current && 'AudioContext' in window) {
      try {
        audio.current = new AudioContext()
      } catch {
        audio.current = null
      }
    }
  }
  useEffect(() => {
    addEventListener('pointerdown', gesture, { once: true })
    addEventListener('keydown', gesture, { once: true })
    return () => {
      removeEventListener('pointerdown', gesture)
      removeEventListener('keydown', gesture)
    }
  }, [])
  useEffect(
    () =>
      store.onPending((c) => {
        if (audio.current) chime(audio.current)
        notify(c.contact.name || c.id, () => go('atendimento', 'pendentes', c.id))
      }),
    [],
  )
  useEffect(() => {
    document.title = pendingTitle(s)
  }, [s.conversations, s.counts])

  if (!s.booted) return <div class="splash" aria-busy="true" />
  if (!s.me) return <Login onGesture={gesture} />

  let main
  switch (route.screen) {
    case 'pedidos':
      main = <Jobs tab={route.parts[0]} selected={route.parts[1]} />
      break
    case 'clientes':
      main = <Companies selected={route.parts[0]} />
      break
    case 'contatos':
      main = <Contacts />
      break
    case 'equipe':
      main = <Staff />
      break
    case 'listas':
      main = <Lists />
      break
    case 'agendamento':
      main = <Schedules />
      break
    case 'respostas':
      main = <Canned />
      break
    case 'historico':
      main = <History selected={route.parts[0]} />
      break
    case 'painel':
      main = <Lazy load={loadDashboard} />
      break
    case 'filas':
      main = <Queues />
      break
    case 'whatsapp':
      main = <WhatsApp />
      break
    case 'preferencias':
      main = <Lazy load={loadPreferences} />
      break
    default: {
      const tab = (TABS.includes(route.parts[0] as Tab) ? route.parts[0] : 'pendentes') as Tab
      const id = route.parts[1] ?? ''
      main = (
        <div class={'inbox' + (id ? ' has-open' : '')}>
          <Inbox tab={tab} selected={id} />
          <ConversationPane id={id} tab={tab} />
        </div>
      )
    }
  }
  return (
    <div class="app">
      <Nav screen={route.screen} />
      <main class="main">{main}</main>
      {s.relogin && <Login again onGesture={gesture} />}
    </div>
  )
}

// The Painel (and uPlot with it) is its own chunk: only managers open it.
const loadDashboard = () => import('./Dashboard').then((m) => m.Dashboard)
// Preferências too: only administradores and gerentes open it.
const loadPreferences = () => import('./Preferences').then((m) => m.Preferences)

function pendingTitle(s: ReturnType<typeof store.get>): string {
  let n = 0
  for (const c of Object.values(s.conversations)) if (c.state === 'pending') n++
  n = store.tabCount('pendentes', n).n
  return n > 0 ? `(${n}) ${t.appName}` : t.appName
}
