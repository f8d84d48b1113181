import type { ComponentType } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { t } from '../strings'

/** Lazy shows a screen whose code is a separate chunk, loaded on first use (load must be a
 * module-level function so that it is the same on every render). */
export function Lazy({ load }: { load: () => Promise<ComponentType> }) {
  const [C, setC] = useState<ComponentType | null>(null)
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    let live = true
    load().then(
      (c) => live && setC(() => c),
      () => live && setFailed(true),
    )
    return () => {
      live = false
    }
  }, [load])
  if (failed) return <p class="error banner">{t.networkError}</p>
  if (!C) return <div class="screen" aria-busy="true" />
  return <C />
}
