// The office's departments (setores) outside the Preferências page: the names shown on
// conversations (inbox list and header) and the choices in Equipe. The settings are the
// source; GET /api/settings may be refused to attendants, so the names fall back to
// /api/settings/defaults and then to the built-in names of the default departments.
import { useEffect, useState } from 'preact/hooks'
import { store } from '../store'
import { t } from '../strings'
import type { Department, Settings, SettingsDefaults } from '../types'

/** The departments of a new office (balcao.DefaultDepartments); they cannot be removed. */
export const DEFAULT_DEPARTMENT_IDS = ['pessoal', 'fiscal', 'contabil', 'financeiro']

export const defaultDepartments = (): Department[] => DEFAULT_DEPARTMENT_IDS.map((id) => ({ id, name: t.defaultDepartments[id] }))

/** slug makes a department id from its name as the server wants them: lower-case ASCII letters
 * and digits joined by dashes, at most 30 ("Departamento Pessoal 2" → "departamento-pessoal-2");
 * "" when nothing is left. */
export function slug(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 30)
    .replace(/-+$/, '')
}

/** departmentName is the name of a department id, or the id itself when unknown. */
export function departmentName(list: Department[], id: string): string {
  return list.find((d) => d.id === id)?.name || t.defaultDepartments[id] || id
}

const usable = (list: unknown): list is Department[] => Array.isArray(list) && list.length > 0

/** useDepartments returns the office's departments, kept current by settings.changed frames.
 * With enabled false it fetches nothing and returns the default departments. */
export function useDepartments(enabled = true): Department[] {
  const [list, setList] = useState<Department[]>(defaultDepartments)
  useEffect(() => {
    if (!enabled) return
    let live = true
    const load = async () => {
      try {
        const s = await store.call<Settings>('GET', '/api/settings')
        if (live && usable(s.departments)) setList(s.departments)
        return
      } catch {
        // refused (or failed): the defaults endpoint still names the departments
      }
      try {
        const d = await store.call<SettingsDefaults>('GET', '/api/settings/defaults')
        if (live && usable(d.departments)) setList(d.departments)
      } catch {
        // the built-in names stay
      }
    }
    void load()
    const off = store.onLiveFrame((f) => {
      if (f.type === 'settings.changed' && usable(f.data?.departments)) setList(f.data.departments)
    })
    return () => {
      live = false
      off()
    }
  }, [enabled])
  return list
}

/** DepartmentTag is the small tag of a conversation's department. */
export function DepartmentTag({ id, list }: { id: string; list: Department[] }) {
  const name = departmentName(list, id)
  return (
    <span class="chip dept" data-department={id} title={t.departmentOf(name)}>
      {name}
    </span>
  )
}
