import { useEffect, useState } from 'preact/hooks'
import { messageOf } from '../api'
import { dateTime, localInput } from '../format'
import { useAttempt } from '../hooks'
import { store } from '../store'
import { t } from '../strings'
import type { BroadcastList, Company, Schedule, ScheduleRun } from '../types'
import { ErrorBox, Screen } from './Screen'

const KINDS = ['once', 'daily', 'weekly', 'monthly', 'business_day']
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']
const runKey = (r: ScheduleRun) => r.schedule + '@' + r.at
/** newerRun is the more advanced of two states of one run (progress only moves forward). */
const newerRun = (a: ScheduleRun, b?: ScheduleRun) => (b && (b.done > a.done || b.sent + b.failed > a.sent + a.failed) ? b : a)

/** Agendamento: broadcasts now, scheduled messages, and the sends under way (live). */
export function Schedules() {
  const [lists, setLists] = useState<BroadcastList[]>([])
  const [companies, setCompanies] = useState<Company[]>([])
  const [schedules, setSchedules] = useState<Schedule[]>([])
  const [sends, setSends] = useState<ScheduleRun[]>([])
  const [error, setError] = useState('')
  const [editing, setEditing] = useState<Schedule | null>(null)

  const load = () =>
    Promise.all([
      store.call<{ schedules: Schedule[] }>('GET', '/api/schedules').then((r) => setSchedules(r.schedules)),
      // A progress frame may have come while the list was on its way: keep the newer of each.
      store.call<{ sends: ScheduleRun[] }>('GET', '/api/sends').then((r) =>
        setSends((prev) => r.sends.map((run) => newerRun(run, prev.find((p) => runKey(p) === runKey(run))))),
      ),
    ]).catch((err) => setError(messageOf(err)))
  useEffect(() => {
    void load()
    store.call<{ lists: BroadcastList[] }>('GET', '/api/lists').then(
      (r) => setLists(r.lists),
      (err) => setError(messageOf(err)),
    )
    store.loadCompanies().then(setCompanies, () => undefined)
    // Live: each schedule.progress frame updates its run in place.
    return store.onLiveFrame((f) => {
      if (f.type !== 'schedule.progress') return
      const run = f.data as ScheduleRun
      setSends((prev) => {
        const i = prev.findIndex((r) => runKey(r) === runKey(run))
        if (i < 0) return [run, ...prev]
        const next = prev.slice()
        next[i] = run
        return next
      })
    })
  }, [])

  const remove = async (s: Schedule) => {
    if (!confirm(t.scheduleConfirmRemove(s.name))) return
    setError('')
    try {
      await store.call('DELETE', `/api/schedules/${encodeURIComponent(s.id)}`)
      await load()
    } catch (err) {
      setError(messageOf(err))
    }
  }

  return (
    <Screen id="screen-agendamento" title={t.schedulesTitle} hint={t.schedulesHint}>
      <ErrorBox message={error} />
      <Broadcast lists={lists} onSent={() => void load()} />
      <section class="card table-card">
        <h2 class="pad">{t.sendsTitle}</h2>
        <table class="table" id="sends-table">
          <tbody>
            {sends.length === 0 && (
              <tr>
                <td class="empty">{t.sendsEmpty}</td>
              </tr>
            )}
            {sends.map((r) => (
              <tr key={runKey(r)} class="send-row" data-schedule={r.schedule} data-done={String(r.done)}>
                <td>{r.name}</td>
                <td class="nowrap">{dateTime(r.at)}</td>
                <td class="send-progress">
                  <progress max={Math.max(r.total, 1)} value={r.sent + r.failed} /> {t.sendProgress(r.sent, r.total)}
                  {r.failed > 0 && <span class="error"> · {t.sendFailed(r.failed)}</span>}
                </td>
                <td class="muted">{r.canceled ? t.sendCanceled : r.done ? t.sendDone : t.sendRunning}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <ScheduleForm
        lists={lists}
        companies={companies}
        editing={editing}
        onSaved={() => {
          setEditing(null)
          void load()
        }}
        onCancel={() => setEditing(null)}
      />
      <div class="card table-card">
        <table class="table" id="schedules-table">
          <tbody>
            {schedules.length === 0 && (
              <tr>
                <td class="empty">{t.schedulesEmpty}</td>
              </tr>
            )}
            {schedules.map((s) => (
              <tr key={s.id} data-id={s.id} class={s.enabled ? '' : 'muted'}>
                <td>{s.name}</td>
                <td class="muted">{t.scheduleKinds[s.recurrence.kind] ?? s.recurrence.kind}</td>
                <td class="nowrap">{!s.enabled ? t.schedulePaused : s.next ? t.scheduleNext(dateTime(s.next)) : t.scheduleNoNext}</td>
                <td class="nowrap">
                  <button class="btn ghost sm" onClick={() => setEditing(s)} data-edit={s.id}>
                    {t.edit}
                  </button>
                  <button class="btn ghost sm" onClick={() => void remove(s)}>
                    {t.scheduleRemove}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Screen>
  )
}

function Broadcast({ lists, onSent }: { lists: BroadcastList[]; onSent: () => void }) {
  const [list, setList] = useState('')
  const [text, setText] = useState('')
  const { error, fields, attempt } = useAttempt()
  const send = async (e: Event) => {
    e.preventDefault()
    if (await attempt(() => store.call('POST', '/api/broadcasts', { list, text }))) {
      setText('')
      onSent()
    }
  }
  return (
    <form class="card form" onSubmit={send} id="broadcast-form">
      <h2>{t.broadcastTitle}</h2>
      <ErrorBox message={error} />
      <label>
        {t.broadcastList}
        <select value={list} onChange={(e) => setList(e.currentTarget.value)} id="broadcast-list">
          <option value="">{t.pickOne}</option>
          {lists.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
        </select>
        {fields.list && <small class="error">{fields.list}</small>}
      </label>
      <label>
        {t.broadcastText}
        <textarea value={text} onInput={(e) => setText(e.currentTarget.value)} rows={3} id="broadcast-text" placeholder={t.broadcastTextHint} />
        {fields.text && <small class="error">{fields.text}</small>}
      </label>
      <button class="btn primary" type="submit" id="broadcast-send">
        {t.broadcastSend}
      </button>
    </form>
  )
}

/** ScheduleForm creates a schedule, or edits one when editing is set (its fields prefilled). */
function ScheduleForm({ lists, companies, editing, onSaved, onCancel }: {
  lists: BroadcastList[]
  companies: Company[]
  editing: Schedule | null
  onSaved: () => void
  onCancel: () => void
}) {
  const [name, setName] = useState('')
  const [text, setText] = useState('')
  const [targetKind, setTargetKind] = useState<'contact' | 'company' | 'list'>('list')
  const [targetId, setTargetId] = useState('')
  const [kind, setKind] = useState('monthly')
  const [at, setAt] = useState('')
  const [hhmm, setHhmm] = useState('09:00')
  const [day, setDay] = useState(5)
  const [weekdays, setWeekdays] = useState<string[]>(['mon'])
  const [intent, setIntent] = useState('')
  const [competence, setCompetence] = useState('previous_month')
  const [enabled, setEnabled] = useState(true)
  const [busy, setBusy] = useState(false)
  const { error, setError, fields, setFields, attempt } = useAttempt()

  // Editing another schedule (or none) resets the form to it.
  useEffect(() => {
    const r = editing?.recurrence
    setName(editing?.name ?? '')
    setText(editing?.text ?? '')
    setTargetKind(editing?.target.kind ?? 'list')
    setTargetId(editing?.target.id ?? '')
    setKind(r?.kind ?? 'monthly')
    setAt(localInput(r?.at))
    setHhmm(r?.time ?? '09:00')
    setDay(r?.day ?? 5)
    setWeekdays(r?.weekdays?.length ? r.weekdays : ['mon'])
    setIntent(editing?.request?.intent ?? '')
    setCompetence(editing?.request?.competence ?? 'previous_month')
    setEnabled(editing?.enabled ?? true)
    setError('')
    setFields({})
  }, [editing])

  const save = async (e: Event) => {
    e.preventDefault()
    if (busy) return
    setBusy(true)
    const recurrence = kind === 'once' ? { kind, at } : { kind, time: hhmm, day, weekdays: kind === 'weekly' ? weekdays : [] }
    const body = { name, text, enabled, target: { kind: targetKind, id: targetId }, recurrence, request: intent ? { intent, competence } : null }
    const ok = await attempt(() =>
      editing ? store.call('PUT', `/api/schedules/${encodeURIComponent(editing.id)}`, body) : store.call('POST', '/api/schedules', body),
    )
    setBusy(false)
    if (!ok) return
    if (!editing) {
      setName('')
      setText('')
    }
    onSaved()
  }
  const err = (k: string) => fields[k] && <small class="error">{fields[k]}</small>
  return (
    <form class="card form" onSubmit={save} id="schedule-form" data-editing={editing?.id ?? ''}>
      <h2>{editing ? t.scheduleEdit(editing.name) : t.scheduleNew}</h2>
      <ErrorBox message={error} />
      <label>
        {t.scheduleName}
        <input value={name} onInput={(e) => setName(e.currentTarget.value)} id="schedule-name" />
        {err('name')}
      </label>
      <label>
        {t.scheduleText}
        <textarea value={text} onInput={(e) => setText(e.currentTarget.value)} rows={3} id="schedule-text" placeholder={t.scheduleTextHint} />
        {err('text')}
      </label>
      <label>
        {t.scheduleTarget}
        <select
          value={targetKind}
          onChange={(e) => {
            setTargetKind(e.currentTarget.value as 'contact' | 'company' | 'list')
            setTargetId('')
          }}
          id="schedule-target-kind"
        >
          {['list', 'company', 'contact'].map((k) => (
            <option key={k} value={k}>
              {t.scheduleTargets[k]}
            </option>
          ))}
        </select>
        {targetKind === 'contact' ? (
          <input value={targetId} onInput={(e) => setTargetId(e.currentTarget.value)} placeholder="+55 48 99999-0001" id="schedule-target" />
        ) : (
          <select value={targetId} onChange={(e) => setTargetId(e.currentTarget.value)} id="schedule-target">
            <option value="">{t.pickOne}</option>
            {(targetKind === 'list' ? lists : companies).map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </select>
        )}
        {err('target.id')}
      </label>
      <label>
        {t.scheduleRecurrence}
        <select value={kind} onChange={(e) => setKind(e.currentTarget.value)} id="schedule-kind">
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {t.scheduleKinds[k]}
            </option>
          ))}
        </select>
        {err('recurrence.kind')}
      </label>
      {kind === 'once' ? (
        <label>
          {t.scheduleAt}
          <input type="datetime-local" value={at} onInput={(e) => setAt(e.currentTarget.value)} id="schedule-at" />
          {err('recurrence.at')}
        </label>
      ) : (
        <label>
          {t.scheduleTime}
          <input type="time" value={hhmm} onInput={(e) => setHhmm(e.currentTarget.value)} id="schedule-time" />
          {err('recurrence.time')}
        </label>
      )}
      {(kind === 'monthly' || kind === 'business_day') && (
        <label>
          {t.scheduleDay}
          <input type="number" min={1} max={kind === 'monthly' ? 31 : 20} value={day} onInput={(e) => setDay(Number(e.currentTarget.value))} id="schedule-day" />
          {err('recurrence.day')}
        </label>
      )}
      {kind === 'weekly' && (
        <fieldset>
          {WEEKDAYS.map((w) => (
            <label class="check" key={w}>
              <input type="checkbox" checked={weekdays.includes(w)} onChange={() => setWeekdays(weekdays.includes(w) ? weekdays.filter((x) => x !== w) : [...weekdays, w])} />
              {t.scheduleWeekdays[w]}
            </label>
          ))}
          {err('recurrence.weekdays')}
        </fieldset>
      )}
      <fieldset>
        <legend>{t.scheduleDocument}</legend>
        <label>
          {t.scheduleIntent}
          <select value={intent} onChange={(e) => setIntent(e.currentTarget.value)} id="schedule-intent">
            <option value="">{t.scheduleNoDocument}</option>
            {Object.entries(t.intents).map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
          {err('request.intent')}
        </label>
        <select value={competence} onChange={(e) => setCompetence(e.currentTarget.value)} id="schedule-competence">
          {Object.keys(t.scheduleCompetences).map((c) => (
            <option key={c} value={c}>
              {t.scheduleCompetences[c]}
            </option>
          ))}
        </select>
        {err('request.competence')}
      </fieldset>
      <label class="check">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} id="schedule-enabled" />
        {t.scheduleEnabled}
      </label>
      <div class="row-actions">
        <button class="btn primary" type="submit" id="schedule-save" disabled={busy}>
          {busy ? t.saving : editing ? t.scheduleUpdate : t.scheduleSave}
        </button>
        {editing && (
          <button class="btn ghost" type="button" onClick={onCancel} id="schedule-cancel">
            {t.cancel}
          </button>
        )}
      </div>
    </form>
  )
}
