import { useState } from 'preact/hooks'
import { messageOf } from '../api'
import { useLoad, useStore } from '../hooks'
import { store } from '../store'
import { t } from '../strings'
import type { Role, StaffMember } from '../types'
import { ErrorBox, Screen } from './Screen'

const ROLES: Role[] = ['administrador', 'gerente', 'atendente']

/** Staff is the Equipe screen; only administradores change it (the server enforces it too). */
export function Staff() {
  const s = useStore()
  const list = useLoad<{ staff: StaffMember[] }>('/api/staff')
  const [editing, setEditing] = useState<StaffMember | 'new' | null>(null)
  const [error, setError] = useState('')
  const admin = s.me?.role === 'administrador'

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

function StaffForm({ member, onClose, onSaved }: { member: StaffMember | null; onClose: () => void; onSaved: () => void }) {
  const [user, setUser] = useState(member?.user ?? '')
  const [name, setName] = useState(member?.name ?? '')
  const [role, setRole] = useState<Role>(member?.role ?? 'atendente')
  const [password, setPassword] = useState('')
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)

  const submit = async (e: Event) => {
    e.preventDefault()
    if (!member && !user.trim()) return setError(t.userRequired)
    if (!name.trim()) return setError(t.nameRequired)
    if (!member && !password) return setError(t.passwordRequired)
    setBusy(true)
    setError('')
    try {
      if (member) {
        const body: Record<string, string> = { name: name.trim(), role }
        if (password) body.password = password
        await store.call('PUT', `/api/staff/${encodeURIComponent(member.user)}`, body)
      } else {
        await store.call('POST', '/api/staff', { user: user.trim(), name: name.trim(), role, password })
      }
      onSaved()
    } catch (err) {
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
        </label>
        <label>
          {t.name}
          <input name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
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
        </label>
        <label>
          {member ? t.newPassword : t.password}
          <input name="password" type="password" autocomplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <ErrorBox message={error} />
        <div class="dialog-actions">
          <button type="button" class="btn ghost" onClick={onClose}>
            {t.cancel}
          </button>
          <button type="submit" class="btn primary" disabled={busy}>
            {busy ? t.saving : t.save}
          </button>
        </div>
      </form>
    </div>
  )
}
