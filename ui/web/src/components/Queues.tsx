import { useEffect, useMemo, useState } from 'preact/hooks'
import { elapsed, formatPhone, num, time } from '../format'
import { go, useLoad, useNow, useReloadOn, useStore } from '../hooks'
import { store } from '../store'
import { t } from '../strings'
import type { DepartmentQueue, Queues as Figures } from '../types'
import { tabList } from './Inbox'
import { ErrorBox, Screen } from './Screen'

const LIVE_FRAMES = ['conversation.changed', 'job.changed', 'agents.online']

/** Queues is the supervisors' live view (Filas ao vivo): who waits and for how long, who is
 * attending what, agents online and the request centre's queue. It refetches /api/queues at
 * most once a second while the websocket reports changes; the waits tick every second. */
export function Queues() {
  const s = useStore()
  const q = useLoad<Figures>('/api/queues')
  const now = useNow(1000)
  const [updated, setUpdated] = useState('')
  useEffect(() => {
    if (q.data) setUpdated(new Date().toISOString())
  }, [q.data])

  useReloadOn(LIVE_FRAMES, q.reload, 1000)
  useEffect(() => {
    const id = setInterval(q.reload, 30000) // a safety net for what frames do not carry (e.g. after a reconnect)
    return () => clearInterval(id)
  }, [])

  // The waiting list comes from the store (live at once); the count from the server (exact).
  const waiting = useMemo(() => tabList(s, 'pendentes'), [s.conversations])
  const d = q.data
  const since = (iso?: string) => (iso ? elapsed(now - new Date(iso).getTime()) : '')
  const attending = d?.attending ?? []
  const jobs = d?.jobs ?? {}
  const jobsWaiting = (jobs.aguardando ?? 0) + (jobs.processando ?? 0) + (jobs.pendentes ?? 0)
  // The store's list is exact once loaded and complete; until then, or past its first page,
  // the server's count.
  const page = s.tabs.pendentes
  const pending = page.loaded && !page.next ? waiting.length : Math.max(d?.pending ?? 0, waiting.length)
  const oldest = waiting[0]?.stateSince ?? d?.oldestPending
  const agents = (d?.agents?.remote ?? 0) + (d?.agents?.embedded ? 1 : 0)

  return (
    <Screen id="screen-filas" title={t.queuesTitle} hint={t.queuesHint}>
      <ErrorBox message={q.error} />
      {!d && !q.error && <p class="muted">{t.loading}</p>}
      {d && (
        <>
          <div class="grid4">
            <div class={'card stat' + (pending > 0 ? ' stat-alert' : '')} data-queue="pending">
              <div class="stat-label">{t.queuesPending}</div>
              <div class="stat-value" data-value={pending}>
                {num(pending)}
              </div>
              <div class="stat-foot muted" data-oldest={oldest ?? ''}>
                {pending > 0 && oldest ? t.queuesOldest(since(oldest)) : t.queuesNobody}
              </div>
            </div>
            <div class="card stat" data-queue="attending">
              <div class="stat-label">{t.queuesAttending}</div>
              <div class="stat-value" data-value={attending.length}>
                {num(attending.length)}
              </div>
              <div class="stat-foot muted">{updated && t.queuesUpdated(time(updated))}</div>
            </div>
            <div class="card stat" data-queue="agents">
              <div class="stat-label">{t.queuesAgents}</div>
              <div class="stat-value" data-value={agents}>
                {num(agents)}
              </div>
              <div class="stat-foot muted dots">
                <span>{t.queuesAgentsRemote(d.agents?.remote ?? 0)}</span>
                <span>{d.agents?.embedded ? t.queuesEmbedded : t.queuesNoEmbedded}</span>
              </div>
            </div>
            <a class="card stat link" href="#/pedidos" data-queue="jobs">
              <div class="stat-label">{t.queuesJobs}</div>
              <div class="stat-value" data-value={jobsWaiting}>
                {num(jobsWaiting)}
              </div>
              <div class="stat-foot">
                {(['pendentes', 'aguardando', 'processando'] as const).map((k) => (
                  <span key={k} class={'chip' + (k === 'pendentes' && (jobs[k] ?? 0) > 0 ? ' warn' : '')} data-jobs={k}>
                    {t.jobTabs[k]} {num(jobs[k] ?? 0)}
                  </span>
                ))}
              </div>
            </a>
          </div>
          <div class="grid2">
            <div class="card table-card">
              <h3 class="card-title">{t.queuesWaitingList}</h3>
              <table class="table" id="queue-waiting">
                <thead>
                  <tr>
                    <th>{t.colContact}</th>
                    <th>{t.colCompany}</th>
                    <th class="num">{t.queuesWaitingFor}</th>
                  </tr>
                </thead>
                <tbody>
                  {waiting.length === 0 && (
                    <tr>
                      <td class="empty" colSpan={3}>
                        {t.queuesNoneWaiting}
                      </td>
                    </tr>
                  )}
                  {waiting.map((c) => (
                    <tr key={c.id} data-pending={c.id} onClick={() => go('atendimento', 'pendentes', c.id)}>
                      <td>
                        <div class="cell-main">{c.contact.name || formatPhone(c.contact.phone || c.id)}</div>
                        {c.contact.name && <div class="cell-sub">{formatPhone(c.contact.phone || c.id)}</div>}
                      </td>
                      <td>{c.companies.map((co) => co.name).join(', ') || <span class="muted">{t.unlinked}</span>}</td>
                      <td class="num nowrap wait">{since(c.stateSince)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div class="card table-card">
              <h3 class="card-title">{t.queuesAttendingList}</h3>
              <table class="table" id="queue-attending">
                <thead>
                  <tr>
                    <th>{t.colContact}</th>
                    <th>{t.colStaff}</th>
                    <th class="num">{t.queuesFor}</th>
                  </tr>
                </thead>
                <tbody>
                  {attending.length === 0 && (
                    <tr>
                      <td class="empty" colSpan={3}>
                        {t.queuesNoneAttending}
                      </td>
                    </tr>
                  )}
                  {attending.map((a) => (
                    <tr key={a.conversation} data-attending={a.conversation} onClick={() => go('atendimento', 'atendimento', a.conversation)}>
                      <td>
                        <div class="cell-main">{a.contact || formatPhone(a.conversation)}</div>
                        {a.contact && <div class="cell-sub">{formatPhone(a.conversation)}</div>}
                      </td>
                      <td>{a.staffName || store.staffName(a.staff)}</td>
                      <td class="num nowrap">{since(a.since)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
          <DepartmentTable departments={d.departments ?? []} since={since} />
        </>
      )}
    </Screen>
  )
}

/** DepartmentTable is the queue of each department (the server's figures, live within a second). */
function DepartmentTable({ departments, since }: { departments: DepartmentQueue[]; since: (iso?: string) => string }) {
  // The "no department" row only when someone is in it.
  const rows = departments.filter((d) => d.id !== '' || d.pending > 0 || d.attending > 0)
  return (
    <div class="card table-card">
      <h3 class="card-title">{t.queuesByDepartment}</h3>
      <table class="table" id="queue-departments">
        <thead>
          <tr>
            <th>{t.colDepartment}</th>
            <th class="num">{t.queuesPending}</th>
            <th class="num">{t.queuesWaitingFor}</th>
            <th class="num">{t.queuesAttending}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => (
            <tr key={d.id} data-department={d.id} data-department-pending={d.pending} data-department-attending={d.attending}>
              <td>{d.id === '' ? <span class="muted">{t.queuesNoDepartment}</span> : d.name}</td>
              <td class="num">{num(d.pending)}</td>
              <td class="num nowrap">{d.pending > 0 ? since(d.oldestPending) : ''}</td>
              <td class="num">{num(d.attending)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
