import { useState } from 'preact/hooks'
import { canAskNotifications } from '../alert'
import { useStore } from '../hooks'
import { store } from '../store'
import { t } from '../strings'
import { initials } from '../format'
import { IconBell, IconBroadcast, IconBuilding, IconCalendar, IconChart, IconChat, IconContacts, IconHistory, IconJobs, IconLogout, IconPhone, IconQueue, IconQuote, IconSettings, IconTeam } from './icons'

// managers: only administradores and gerentes see the item (the server refuses the rest).
const items = [
  { screen: 'atendimento', href: '#/atendimento/pendentes', label: t.navInbox, icon: IconChat },
  { screen: 'filas', href: '#/filas', label: t.navQueues, icon: IconQueue },
  { screen: 'pedidos', href: '#/pedidos', label: t.navJobs, icon: IconJobs },
  { screen: 'clientes', href: '#/clientes', label: t.navClients, icon: IconBuilding },
  { screen: 'contatos', href: '#/contatos', label: t.navContacts, icon: IconContacts },
  { screen: 'equipe', href: '#/equipe', label: t.navStaff, icon: IconTeam },
  { screen: 'respostas', href: '#/respostas', label: t.navCanned, icon: IconQuote },
  { screen: 'listas', href: '#/listas', label: t.navLists, icon: IconBroadcast, managers: true },
  { screen: 'agendamento', href: '#/agendamento', label: t.navSchedules, icon: IconCalendar, managers: true },
  { screen: 'painel', href: '#/painel', label: t.navDashboard, icon: IconChart, managers: true },
  { screen: 'historico', href: '#/historico', label: t.navHistory, icon: IconHistory, managers: true },
  { screen: 'whatsapp', href: '#/whatsapp', label: t.navWhatsApp, icon: IconPhone },
  { screen: 'preferencias', href: '#/preferencias', label: t.navPrefs, icon: IconSettings, managers: true },
]

/** isManager: administradores and gerentes see dashboards and the history. */
export const isManager = (role?: string) => role === 'administrador' || role === 'gerente'

/** Nav is the left rail: screens, connection state, the user and Sair. */
export function Nav({ screen }: { screen: string }) {
  const s = useStore()
  const [ask, setAsk] = useState(canAskNotifications())
  const me = s.me!
  let pending = 0
  for (const c of Object.values(s.conversations)) if (c.state === 'pending') pending++
  pending = store.tabCount('pendentes', pending).n
  const conn = s.conn === 'online' ? t.connOnline : s.conn === 'connecting' ? t.connConnecting : t.connOffline
  return (
    <nav class="rail" aria-label="Principal">
      <div class="rail-logo" title={t.appName}>
        <svg viewBox="0 0 32 32" width="30" height="30" aria-hidden="true">
          <path d="M8 10h16a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2h-9l-5 4v-4H8a2 2 0 0 1-2-2v-8a2 2 0 0 1 2-2z" fill="currentColor" />
        </svg>
      </div>
      {items.filter((it) => !it.managers || isManager(me.role)).map((it) => (
        <a key={it.screen} href={it.href} class={'rail-item' + (screen === it.screen || (it.screen === 'atendimento' && !items.some((i) => i.screen === screen)) ? ' active' : '')} title={it.label} aria-label={it.label} data-nav={it.screen}>
          <it.icon />
          {it.screen === 'atendimento' && pending > 0 && <span class="rail-badge">{pending}</span>}
        </a>
      ))}
      <div class="rail-spacer" />
      {ask && (
        <button
          class="rail-item"
          title={t.enableNotifications}
          aria-label={t.enableNotifications}
          onClick={() => void Notification.requestPermission().then(() => setAsk(canAskNotifications()))}
        >
          <IconBell />
        </button>
      )}
      <span class={'conn-dot ' + s.conn} title={conn} aria-label={conn} data-conn={s.conn} />
      <div class="rail-avatar" title={`${me.name} · ${t.roles[me.role] ?? me.role}`}>
        {initials(me.name)}
      </div>
      <button class="rail-item" title={t.logout} aria-label={t.logout} onClick={() => void store.logout()} id="logout">
        <IconLogout />
      </button>
    </nav>
  )
}
