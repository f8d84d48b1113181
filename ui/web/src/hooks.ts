import { useEffect, useRef, useState } from 'preact/hooks'
import { ApiError, messageOf } from './api'
import { store, type State } from './store'
import { throttle } from './throttle'

/** useStore re-renders the component when the store's snapshot changes. */
export function useStore(): State {
  const [s, setS] = useState(store.get())
  useEffect(() => {
    setS(store.get())
    return store.subscribe(() => setS(store.get()))
  }, [])
  return s
}

export interface Route {
  screen: string
  parts: string[]
}

function parse(): Route {
  const h = location.hash.replace(/^#\/?/, '')
  const parts = h.split('/').filter(Boolean).map(decodeURIComponent)
  return { screen: parts[0] ?? 'atendimento', parts: parts.slice(1) }
}

/** useRoute follows location.hash: #/screen/part/part. */
export function useRoute(): Route {
  const [r, setR] = useState(parse)
  useEffect(() => {
    const on = () => setR(parse())
    addEventListener('hashchange', on)
    return () => removeEventListener('hashchange', on)
  }, [])
  return r
}

export function go(...parts: string[]) {
  location.hash = '#/' + parts.map(encodeURIComponent).join('/')
}

/** useNow ticks every interval so that waiting times stay current. */
export function useNow(ms: number): number {
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms)
    return () => clearInterval(id)
  }, [ms])
  return now
}

export interface Loaded<T> {
  data: T | null
  error: string
  loading: boolean
  reload: () => void
}

/** useLoad GETs a path through the store (so a lost session shows the login) and keeps the
 * result, or the server's Portuguese message, in component state. */
export function useLoad<T>(path: string | null): Loaded<T> {
  const [data, setData] = useState<T | null>(null)
  const [error, setError] = useState('')
  const [loading, setLoading] = useState(false)
  const [n, setN] = useState(0)
  useEffect(() => {
    if (!path) {
      setData(null)
      return
    }
    let live = true
    setLoading(true)
    store.call<T>('GET', path).then(
      (d) => {
        if (!live) return
        setData(d)
        setError('')
        setLoading(false)
      },
      (err) => {
        if (!live) return
        setData(null)
        setError(messageOf(err))
        setLoading(false)
      },
    )
    return () => {
      live = false
    }
  }, [path, n])
  return { data, error, loading, reload: () => setN((x) => x + 1) }
}

/** useAttempt keeps a form's error and per-field errors. attempt runs an API call: it clears
 * them first and, when the call fails, fills them from the server's answer; it resolves to
 * whether the call succeeded. */
export function useAttempt() {
  const [error, setError] = useState('')
  const [fields, setFields] = useState<Record<string, string>>({})
  const attempt = async (call: () => Promise<unknown>): Promise<boolean> => {
    setError('')
    setFields({})
    try {
      await call()
      return true
    } catch (err) {
      if (err instanceof ApiError) setFields(err.fields)
      setError(messageOf(err))
      return false
    }
  }
  return { error, setError, fields, setFields, attempt }
}

/** useReloadOn calls reload when a live frame of one of the types arrives (someone changed what
 * the screen lists), at most once every ms: a burst of frames (an import, a busy office) makes
 * one reload at once and one after it, not one each. */
export function useReloadOn(types: string[], reload: () => void, ms = 500) {
  const latest = useRef(reload)
  latest.current = reload
  useEffect(() => {
    const run = throttle(() => latest.current(), ms)
    const off = store.onLiveFrame((f) => types.includes(f.type) && run())
    return () => {
      off()
      run.cancel()
    }
  }, [ms])
}

/**
 * useOneAtATime runs one action at a time: a second press of a button while the first action
 * is on its way (a save, a reply) is ignored, rather than sending it again. busy is true while
 * one runs, for disabling the buttons; run reports whether fn ran.
 */
export function useOneAtATime(): { busy: boolean; run: (fn: () => Promise<void>) => Promise<boolean> } {
  const [busy, setBusy] = useState(false)
  const running = useRef(false)
  const run = async (fn: () => Promise<void>): Promise<boolean> => {
    if (running.current) return false
    running.current = true
    setBusy(true)
    try {
      await fn()
      return true
    } finally {
      running.current = false
      setBusy(false)
    }
  }
  return { busy, run }
}
