import { useState } from 'preact/hooks'
import { addMonths, formatPhone, humanDuration, monthLabel, num, shortDuration, today } from '../format'
import { useLoad, useStore } from '../hooks'
import { store } from '../store'
import { t } from '../strings'
import type { Dashboard as Figures, Outcome, Percentiles } from '../types'
import { OUTCOMES } from '../types'
import { BarChart } from './BarChart'
import { ErrorBox, Screen } from './Screen'

/** The month it is in São Paulo (the server's months are São Paulo's), not in the browser's zone. */
const currentMonth = () => today().slice(0, 7)

/** Dashboard is the Painel: a month's services, response times, charts and rankings. The
 * server allows it to administradores and gerentes; anyone else sees its message (403). */
export function Dashboard() {
  useStore() // staff names arrive after login
  const [month, setMonth] = useState(currentMonth)
  const d = useLoad<Figures>(`/api/dashboard?month=${encodeURIComponent(month)}`)
  const max = currentMonth()
  const f = d.data
  return (
    <Screen
      id="screen-painel"
      title={t.dashTitle}
      hint={t.dashHint}
      actions={
        <div class="month-picker">
          <button class="btn ghost sm" aria-label="Mês anterior" title="Mês anterior" onClick={() => setMonth(addMonths(month, -1))}>
            ‹
          </button>
          <label class="sr-label" for="dash-month">
            {t.dashMonth}
          </label>
          <input id="dash-month" type="month" value={month} max={max} onChange={(e) => e.currentTarget.value && setMonth(e.currentTarget.value)} />
          <button class="btn ghost sm" aria-label="Próximo mês" title="Próximo mês" disabled={month >= max} onClick={() => setMonth(addMonths(month, 1))}>
            ›
          </button>
        </div>
      }
    >
      <ErrorBox message={d.error} />
      {d.loading && !f && <p class="muted">{t.loading}</p>}
      {f && (
        <div class={'dash' + (d.loading ? ' stale' : '')} data-month={f.month}>
          <h2 class="dash-section">
            {t.dashServices} · <span class="muted">{monthLabel(f.month)}</span>
          </h2>
          <ServiceCards f={f} />
          <h2 class="dash-section">{t.dashTimes}</h2>
          <div class="grid3">
            <TimeCard id="assistant" title={t.dashAssistantReply} p={f.assistantReplyUs} scale={1 / 1000} />
            <TimeCard id="first" title={t.dashFirstResponse} hint={t.dashFirstResponseHint} p={f.firstResponseMs} scale={1} />
            <TimeCard id="service" title={t.dashServiceTime} p={f.serviceTimeMs} scale={1} />
          </div>
          <div class="grid2">
            <div class="card pad">
              <h3>{t.dashDistribution}</h3>
              <Distribution f={f} />
            </div>
            <div class="card pad">
              <h3>{t.dashPerDay}</h3>
              <PerDay f={f} />
            </div>
          </div>
          <div class="grid2">
            <TopStaff f={f} />
            <TopClients f={f} />
          </div>
          <div class="grid2">
            <Documents f={f} />
            <Satisfaction f={f} />
          </div>
        </div>
      )}
    </Screen>
  )
}

function ServiceCards({ f }: { f: Figures }) {
  const total = (m: Partial<Record<Outcome, number>>) => OUTCOMES.reduce((n, o) => n + (m?.[o] ?? 0), 0)
  const cards: { id: string; label: string; now: number; before: number }[] = [
    { id: 'total', label: t.dashTotal, now: total(f.services), before: total(f.previous) },
    ...OUTCOMES.map((o) => ({ id: o, label: t.outcomesPlural[o], now: f.services?.[o] ?? 0, before: f.previous?.[o] ?? 0 })),
  ]
  return (
    <div class="grid4">
      {cards.map((c) => (
        <div key={c.id} class={'card stat stat-' + c.id} data-stat={c.id}>
          <div class="stat-label">{c.label}</div>
          <div class="stat-value">{num(c.now)}</div>
          <div class="stat-foot">
            <Delta now={c.now} before={c.before} />
            <span class="muted">{t.dashPrevious(c.before)}</span>
          </div>
        </div>
      ))}
    </div>
  )
}

function Delta({ now, before }: { now: number; before: number }) {
  if (before === 0 || now === before) return null
  const pct = Math.round(((now - before) / before) * 100)
  const up = now > before
  return <span class={'delta ' + (up ? 'up' : 'down')}>{(up ? '▲ +' : '▼ ') + pct + '%'}</span>
}

/** TimeCard summarizes a histogram; scale turns its unit into milliseconds. */
function TimeCard({ id, title, hint, p, scale }: { id: string; title: string; hint?: string; p: Percentiles; scale: number }) {
  const d = (v: number) => humanDuration(v * scale)
  return (
    <div class="card pad time-card" data-times={id}>
      <h3 title={hint}>{title}</h3>
      {!p || p.count === 0 ? (
        <p class="muted">{t.dashNoData}</p>
      ) : (
        <>
          <div class="time-mean">
            <span class="stat-value">{d(p.mean)}</span>
            <span class="muted">{t.dashMean.toLowerCase()}</span>
          </div>
          <dl class="pcts">
            <div>
              <dt>p50</dt>
              <dd>{d(p.p50)}</dd>
            </div>
            <div>
              <dt>p90</dt>
              <dd>{d(p.p90)}</dd>
            </div>
            <div>
              <dt>p99</dt>
              <dd>{d(p.p99)}</dd>
            </div>
            <div>
              <dt>máx.</dt>
              <dd>{d(p.max)}</dd>
            </div>
          </dl>
          <p class="muted small">{t.dashMeasured(p.count)}</p>
        </>
      )}
    </div>
  )
}

// Bins of the first-response chart (upper bounds in ms); the last is open.
const EDGES = [15e3, 30e3, 60e3, 120e3, 300e3, 600e3, 1800e3, 3600e3, 4 * 3600e3]
const MIN_BINS = 6

function Distribution({ f }: { f: Figures }) {
  const bars = f.firstResponseBars ?? []
  if (bars.length === 0) return <p class="muted chart-empty">{t.dashNoData}</p>
  const counts = new Array(EDGES.length + 1).fill(0)
  for (const b of bars) {
    const mid = (b.from + b.to) / 2
    let i = EDGES.findIndex((e) => mid < e)
    if (i < 0) i = EDGES.length
    counts[i] += b.count
  }
  let last = counts.length - 1
  while (last >= MIN_BINS && counts[last] === 0) last--
  const labels: string[] = []
  const hover: string[] = []
  for (let i = 0; i <= last; i++) {
    const lo = i === 0 ? 0 : EDGES[i - 1]
    if (i === EDGES.length) {
      labels.push('> ' + shortDuration(lo))
      hover.push(t.dashBucketOver(humanDuration(lo)))
    } else if (i === 0) {
      labels.push('< ' + shortDuration(EDGES[0]))
      hover.push(t.dashBucketUpTo(humanDuration(EDGES[0])))
    } else {
      labels.push(rangeLabel(lo, EDGES[i]))
      hover.push(`${humanDuration(lo)} – ${humanDuration(EDGES[i])}`)
    }
  }
  return <BarChart id="distribution" labels={labels} hover={hover} values={counts.slice(0, last + 1)} series={t.dashCountLabel} axis={t.dashFirstResponse} color="#0f766e" />
}

/** "1–2 min", "30–60 s": the unit once when both ends share it. */
function rangeLabel(lo: number, hi: number): string {
  const a = shortDuration(lo)
  const b = shortDuration(hi)
  const [an, au] = a.split(' ')
  const [bn, bu] = b.split(' ')
  if (au === bu) return `${an}–${bn} ${bu}`
  if (hi === 60e3) return `${an}–60 s`
  if (hi === 3600e3) return `${an}–60 min`
  return `${a}–${b}`
}

function PerDay({ f }: { f: Figures }) {
  const days = f.perDay ?? []
  if (days.length === 0) return <p class="muted chart-empty">{t.dashNoData}</p>
  const labels = days.map((d) => d.day.slice(8, 10))
  const hover = days.map((d) => `${d.day.slice(8, 10)}/${d.day.slice(5, 7)}`)
  return <BarChart id="per-day" labels={labels} hover={hover} values={days.map((d) => d.services)} series={t.dashCountLabel} axis={t.dashDayLabel} color="#2b8de0" />
}

function TopStaff({ f }: { f: Figures }) {
  const list = f.topStaff ?? []
  return (
    <div class="card table-card" data-top="staff">
      <h3 class="card-title">{t.dashTopStaff}</h3>
      {list.length === 0 ? (
        <p class="muted pad">{t.dashNoData}</p>
      ) : (
        <table class="table static">
          <thead>
            <tr>
              <th>{t.name}</th>
              <th class="num">{t.dashServicesCol}</th>
              <th class="num">{t.dashFirstP50Col}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((s) => (
              <tr key={s.staff} data-staff={s.staff}>
                <td>{store.staffName(s.staff)}</td>
                <td class="num">{num(s.services)}</td>
                <td class="num">{s.firstResponseP50Ms ? humanDuration(s.firstResponseP50Ms) : t.none}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}

function TopClients({ f }: { f: Figures }) {
  const list = f.topClients ?? []
  return (
    <div class="card table-card" data-top="clients">
      <h3 class="card-title">{t.dashTopClients}</h3>
      {list.length === 0 ? (
        <p class="muted pad">{t.dashNoData}</p>
      ) : (
        <table class="table static">
          <thead>
            <tr>
              <th>{t.dashClientCol}</th>
              <th class="num">{t.dashServicesCol}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((c) => (
              <tr key={c.name}>
                <td>{/^\d{10,15}$/.test(c.name) ? formatPhone(c.name) : c.name}</td>
                <td class="num">{num(c.count)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}

function Documents({ f }: { f: Figures }) {
  const list = Object.entries(f.documents ?? {})
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
  const top = Math.max(1, ...list.map(([, n]) => n))
  return (
    <div class="card pad" data-top="documents">
      <h3>{t.dashDocuments}</h3>
      {list.length === 0 ? (
        <p class="muted">{t.dashNoData}</p>
      ) : (
        <ul class="meter-list">
          {list.map(([kind, n]) => (
            <li key={kind} data-kind={kind}>
              <span class="meter-label">{t.intents[kind] ?? kind}</span>
              <span class="meter">
                <span style={{ width: `${(n / top) * 100}%` }} />
              </span>
              <span class="meter-value">{num(n)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

function Satisfaction({ f }: { f: Figures }) {
  const s = f.satisfaction ?? {}
  const rows = [5, 4, 3, 2, 1].map((k) => ({ k, n: s[String(k)] ?? 0 }))
  const answers = rows.reduce((a, r) => a + r.n, 0)
  const avg = answers ? rows.reduce((a, r) => a + r.k * r.n, 0) / answers : 0
  return (
    <div class="card pad" data-top="satisfaction">
      <h3>{t.dashSatisfaction}</h3>
      {answers === 0 ? (
        <p class="muted">{t.dashNoData}</p>
      ) : (
        <>
          <p class="sat-head">
            <span class="stat-value">{avg.toLocaleString('pt-BR', { minimumFractionDigits: 1, maximumFractionDigits: 1 })}</span>
            <span class="stars" aria-hidden="true">
              {'★'.repeat(Math.round(avg))}
              <span class="off">{'★'.repeat(5 - Math.round(avg))}</span>
            </span>
            <span class="muted">
              {t.dashAverageRating(avg.toLocaleString('pt-BR', { maximumFractionDigits: 1 }))} · {t.dashAnswers(answers)}
            </span>
          </p>
          <ul class="meter-list">
            {rows.map((r) => (
              <li key={r.k} data-rating={r.k}>
                <span class="meter-label">{t.dashStars(r.k)}</span>
                <span class="meter sat">
                  <span style={{ width: `${(r.n / answers) * 100}%` }} />
                </span>
                <span class="meter-value">{num(r.n)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  )
}
