// throttle runs fn at most once per `ms`: the first call at once, calls during the wait fold
// into one trailing run at its end (so the last change is never lost).
export interface Throttled {
  (): void
  cancel(): void
}

export function throttle(fn: () => void, ms: number): Throttled {
  let last = -Infinity
  let timer: ReturnType<typeof setTimeout> | undefined
  const run = () => {
    timer = undefined
    last = Date.now()
    fn()
  }
  const call = (() => {
    if (timer) return
    const wait = last + ms - Date.now()
    if (wait <= 0) run()
    else timer = setTimeout(run, wait)
  }) as Throttled
  call.cancel = () => {
    clearTimeout(timer)
    timer = undefined
  }
  return call
}
