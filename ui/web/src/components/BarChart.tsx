import { useEffect, useRef } from 'preact/hooks'
import { barChart, type BarChartOptions } from '../charts'

/** BarChart shows a uPlot bar chart that follows its box's width. It is part of the Painel's
 * chunk (with uPlot), which only the Painel loads. */
export function BarChart({ id, ...o }: BarChartOptions & { id: string }) {
  const box = useRef<HTMLDivElement>(null)
  const key = JSON.stringify([o.labels, o.values, o.hover])
  useEffect(() => {
    const el = box.current
    if (!el) return
    const chart = barChart(el, o)
    const ro = new ResizeObserver(() => chart.resize(el.clientWidth))
    ro.observe(el)
    return () => {
      ro.disconnect()
      chart.destroy()
    }
  }, [key])
  return <div class="chart" data-chart={id} ref={box} />
}
