// Charts of the Painel, drawn by uPlot (canvas, ~50 KB min). Only the Painel imports this
// module, and the app loads the Painel lazily, so uPlot and its stylesheet are in the Painel's
// chunk and load on that screen only.
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'

export interface BarChartOptions {
  labels: string[] // one per bar, shown under it
  hover?: string[] // the legend's name of a bar on hover (default: its label)
  values: number[]
  series: string // what a bar counts ("Atendimentos")
  axis: string // what the x axis is ("Dia")
  color: string
  height?: number
  every?: number // show every n-th label under the bars (default: as many as fit)
}

export interface Chart {
  resize(width: number): void
  destroy(): void
}

const font = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'
const axisColor = '#667781'
const gridColor = '#eef0f2'

/** barChart draws one series of bars over category labels into el, as wide as el. */
export function barChart(el: HTMLElement, o: BarChartOptions): Chart {
  const xs = o.labels.map((_, i) => i)
  const int = (v: number) => Math.round(v).toLocaleString('pt-BR')
  const opts: uPlot.Options = {
    width: Math.max(240, el.clientWidth),
    height: o.height ?? 220,
    pxAlign: 1,
    cursor: { drag: { x: false, y: false }, points: { show: false } },
    select: { show: false, left: 0, top: 0, width: 0, height: 0 },
    legend: { show: true, live: true },
    scales: {
      x: { time: false, range: () => [-0.5, Math.max(0.5, xs.length - 0.5)] },
      y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] },
    },
    axes: [
      {
        stroke: axisColor,
        font,
        grid: { show: false },
        ticks: { show: false },
        gap: 6,
        splits: () => xs.filter((i) => i % (o.every ?? labelStep(el.clientWidth, o.labels)) === 0),
        values: (_u, splits) => splits.map((i) => o.labels[i] ?? ''),
      },
      {
        stroke: axisColor,
        font,
        size: 44,
        grid: { stroke: gridColor, width: 1 },
        ticks: { show: false },
        // counts are whole: no 0,5 steps
        incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000],
        values: (_u, splits) => splits.map(int),
      },
    ],
    series: [
      { label: o.axis, value: (_u, i) => (i == null ? '' : (o.hover ?? o.labels)[i] ?? '') },
      {
        label: o.series,
        stroke: o.color,
        fill: o.color + 'cc',
        width: 0,
        paths: uPlot.paths.bars!({ size: [0.72, 48], radius: 0.15, gap: 1 }),
        points: { show: false },
        value: (_u, v) => (v == null ? '' : int(v)),
      },
    ],
  }
  const u = new uPlot(opts, [xs, o.values], el)
  return {
    resize: (width: number) => u.setSize({ width: Math.max(240, width), height: opts.height }),
    destroy: () => u.destroy(),
  }
}

/** labelStep keeps labels from overlapping: about 56 px for each. */
function labelStep(width: number, labels: string[]): number {
  const longest = labels.reduce((n, l) => Math.max(n, l.length), 1)
  const room = Math.max(1, Math.floor((width - 60) / Math.max(36, longest * 7 + 12)))
  return Math.max(1, Math.ceil(labels.length / room))
}
