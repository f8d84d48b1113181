import { useEffect, useState } from 'preact/hooks'
import { ApiError, messageOf } from '../api'
import { useLoad, useStore } from '../hooks'
import { store } from '../store'
import { t } from '../strings'
import type { Company, Department, Role, Settings, StaffMember } from '../types'
import { departmentName, useDepartments } from './PreferencesDepartments'
import { ErrorBox, SaveActions, Screen } from './Screen'

const ROLES: Role[] = ['administrador', 'gerente', 'atendente']

/** Staff is the Equipe screen; only administradores change it (the server enforces it too). */
export function Staff() {
  const s = useStore()
  const list = useLoad<{ staff: StaffMember[] }>('/api/staff')
  const [editing, setEditing] = useState<StaffMember | 'new' | null>(null)
  const [error, setError] = useState('')
  const admin = s.me?.role === 'administrador'
  const depts = useDepartments()
  const carteira = useCarteira()

  const remove = async (m: StaffMember) => {
    if (!confirm(t.confirmRemoveStaff(m.name))) return
    setError('')
    try {
      await store.call('DELETE', `/api/staff/${encodeURIComponent(m.user)}`)
      list.reload()
      void store.loadStaff()
    } catch (err) {
      setError(messageOf(err))
    }
  }

  return (
    <Screen
      id="screen-equipe"
      title={t.staffTitle}
      hint={admin ? t.staffHint : t.adminOnly}
      actions={
        admin && (
          <button class="btn primary" onClick={() => setEditing('new')} id="new-staff">
            {t.newStaff}
          </button>
        )
      }
    >
      <ErrorBox message={list.error || error} />
      <div class="card table-card">
        <table class="table">
          <thead>
            <tr>
              <th>{t.name}</th>
              <th>{t.user}</th>
              <th>{t.role}</th>
              <th>{t.staffDepartments}</th>
              <th>{t.staffCarteira}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(list.data?.staff ?? []).map((m) => (
              <tr key={m.user} data-staff={m.user}>
                <td>
                  {m.name}
                  {m.user === s.me?.user && <span class="muted"> ({t.you})</span>}
                </td>
                <td class="mono">{m.user}</td>
                <td>
                  <span class={'chip role-' + m.role}>{t.roles[m.role] ?? m.role}</span>
                </td>
                <td data-departments={(m.departments ?? []).join(' ')}>
                  {m.departments?.length ? m.departments.map((d) => departmentName(depts, d)).join(', ') : <span class="muted">{t.allDepartments}</span>}
                </td>
                <td data-carteira={m.user}>
                  {(carteira[m.user] ?? []).map((e) => `${e.company} (${departmentName(depts, e.department)})`).join(', ') || <span class="muted">—</span>}
                </td>
                <td class="row-actions">
                  {admin && (
                    <>
                      <button class="btn ghost sm" onClick={() => setEditing(m)}>
                        {t.edit}
                      </button>
                      {m.user !== s.me?.user && (
                        <button class="btn ghost sm danger-text" onClick={() => remove(m)}>
                          {t.remove}
                        </button>
                      )}
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {editing && (
        <StaffForm
          member={editing === 'new' ? null : editing}
          depts={depts}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null)
            list.reload()
            void store.loadStaff()
          }}
        />
      )}
    </Screen>
  )
}

/** useCarteira maps each staff user to the companies the carteira gives them (names), from the
 * settings (kept current by settings.changed) and the companies. */
function useCarteira(): Record<string, { company: string; department: string }[]> {
  const [portfolio, setPortfolio] = useState<Settings['portfolio']>([])
  const [companies, setCompanies] = useState<Company[]>([])
  useEffect(() => {
    store.call<Settings>('GET', '/api/settings').then((st) => setPortfolio(st.portfolio ?? []), () => undefined)
    store.loadCompanies().then(setCompanies, () => undefined)
    return store.onLiveFrame((f) => {
      if (f.type === 'settings.changed') setPortfolio((f.data as Settings).portfolio ?? [])
    })
  }, [])
  const out: Record<string, { company: string; department: string }[]> = {}
  for (const e of portfolio) {
    const company = companies.find((c) => c.id === e.company)?.name ?? e.company
    ;(out[e.staff] ??= []).push({ company, department: e.department })
  }
  return out
}

function StaffForm({ member, depts, onClose, onSaved }: { member: StaffMember | null; depts: Department[]; onClose: () => void; onSaved: () => void }) {
  const [user, setUser] = useState(member?.user ?? '')
  const [name, setName] = useState(member?.name ?? '')
  const [role, setRole] = useState<Role>(member?.role ?? 'atendente')
  const [password, setPassword] = useState('')
  const [departments, setDepartments] = useState<string[]>(member?.departments ?? [])
  const [fields, setFields] = useState<Record<string, string>>({})
  const [error, setError] = useState('')
  // The office's departments, and any the member still has that the office no longer lists
  // (so that they can be unchecked).
  const options = [...depts, ...(member?.departments ?? []).filter((id) => !depts.some((d) => d.id === id)).map((id) => ({ id, name: departmentName(depts, id) }))]
  const [busy, setBusy] = useState(false)

  const submit = async (e: Event) => {
    e.preventDefault()
    if (!member && !user.trim()) return setError(t.userRequired)
    if (!name.trim()) return setError(t.nameRequired)
    if (!member && !password) return setError(t.passwordRequired)
    setBusy(true)
    setError('')
    setFields({})
    try {
      if (member) {
        const body: Record<string, unknown> = { name: name.trim(), role, departments }
        if (password) body.password = password
        await store.call('PUT', `/api/staff/${encodeURIComponent(member.user)}`, body)
      } else {
        await store.call('POST', '/api/staff', { user: user.trim(), name: name.trim(), role, password, departments })
      }
      onSaved()
    } catch (err) {
      if (err instanceof ApiError) setFields(err.fields)
      setError(messageOf(err))
      setBusy(false)
    }
  }

  return (
    <div class="overlay" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <form class="dialog" onSubmit={submit} id="staff-form">
        <h2>{member ? t.editStaff : t.newStaff}</h2>
        <label>
          {t.user}
          <input name="user" value={user} disabled={!!member} autocomplete="off" onInput={(e) => setUser(e.currentTarget.value)} />
          {fields.user && <span class="field-error">{fields.user}</span>}
        </label>
        <label>
          {t.name}
          <input name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          {fields.name && <span class="field-error">{fields.name}</span>}
        </label>
        <label>
          {t.role}
          <select value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t.roles[r]}
              </option>
            ))}
          </select>
          {fields.role && <span class="field-error">{fields.role}</span>}
        </label>
        <fieldset class="staff-departments" id="staff-departments" aria-describedby="staff-departments-hint">
          <legend>{t.staffDepartments}</legend>
          {options.map((d) => (
            <label class="check" key={d.id}>
              <input
                type="checkbox"
                name="departments"
                value={d.id}
                checked={departments.includes(d.id)}
                onChange={(e) => {
                  const on = e.currentTarget.checked
                  setDepartments((list) => options.map((x) => x.id).filter((id) => (id === d.id ? on : list.includes(id))))
                }}
              />
              {d.name}
            </label>
          ))}
          <small class="muted" id="staff-departments-hint">
            {departments.length ? t.staffDepartmentsHint : t.allDepartments}
          </small>
          {fields.departments && <span class="field-error">{fields.departments}</span>}
        </fieldset>
        <label>
          {member ? t.newPassword : t.password}
          <input name="password" type="password" autocomplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          {fields.password && <span class="field-error">{fields.password}</span>}
        </label>
        <ErrorBox message={error} />
        <SaveActions busy={busy} onCancel={onClose} />
      </form>
    </div>
  )
}
