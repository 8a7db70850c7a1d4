/* eslint-disable @typescript-eslint/no-explicit-any -- Chart.js arrives as an untyped UMD global in the page */
// The report page's script. It runs in the browser, not in Node: html.ts inlines its source with
// Function.prototype.toString, so it must stay self-contained (no imports, no outside helpers; types only).
import type { Bar, ChartData } from './charts.js';
import type { ClientDraw } from './html-client-draw.js';

export function clientMain(Chart: any, data: ChartData, draw: ClientDraw): void {
  const doc = document;
  const family = getComputedStyle(doc.body).fontFamily;
  Chart.defaults.font.family = family;
  Chart.defaults.font.size = 11;
  Chart.defaults.color = '#495057';
  Chart.defaults.borderColor = '#e9ecef';
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.plugins.legend.labels.boxWidth = 12;
  Chart.defaults.plugins.legend.labels.boxHeight = 12;

  const fmt = (n: number): string =>
    n >= 100
      ? Math.round(n).toLocaleString('en-US')
      : n >= 10
        ? n.toFixed(1)
        : n >= 1
          ? n.toFixed(2)
          : n.toFixed(3);
  const { alpha } = draw;
  const colorOf = (stack: string) => data.colors[stack] ?? '#868e96';
  // A generator-limited bar.
  const stripes = (hex: string) => draw.stripes(hex, { size: 8, fill: 0.35, lineWidth: 2, seamless: true });

  // A plugin that, once the datasets are drawn, draws over each point or bar of those the legend has not hidden.
  const overEachShown = (
    id: string,
    drawOne: (ctx: CanvasRenderingContext2D, chart: any, ds: any, el: any, j: number) => void,
  ) => ({
    id,
    afterDatasetsDraw(chart: any) {
      chart.data.datasets.forEach((ds: any, i: number) => {
        const meta = chart.getDatasetMeta(i);
        if (!meta.hidden) meta.data.forEach((el: any, j: number) => drawOne(chart.ctx, chart, ds, el, j));
      });
    },
  });

  // Value labels at the end of horizontal bars ("≥" for lower bounds) and 95% CI whiskers where known.
  const barLabels = overEachShown('sbBarLabels', (ctx, chart, ds, el, j) => {
    const bar: Bar | undefined = ds.bars?.[j];
    if (!bar) return;
    const x = chart.scales.x;
    let end = el.x;
    ctx.save();
    if (bar.low !== undefined && bar.high !== undefined && bar.high > bar.low) {
      const hi = x.getPixelForValue(bar.high);
      draw.whisker(ctx, x.getPixelForValue(bar.low), hi, el.y, 3, 1.2);
      end = Math.max(end, hi);
    }
    ctx.font = `600 10px ${family}`;
    ctx.fillStyle = '#343a40';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillText(`${bar.lowerBound ? '≥' : ''}${fmt(bar.value)}${ds.unit ?? ''}`, end + 4, el.y);
    ctx.restore();
  });

  let count = 0;
  const make = (name: string, config: any) => {
    const el = doc.querySelector(`canvas[data-chart="${name}"]`);
    if (!el) return;
    new Chart(el, config);
    count++;
  };

  const horizontalBars = (name: string, bars: Bar[], unit: string, title: string) => {
    const max = Math.max(...bars.map((b) => b.high ?? b.value));
    make(name, {
      type: 'bar',
      data: {
        labels: bars.map((b) => b.stack),
        datasets: [
          {
            label: title,
            data: bars.map((b) => b.value),
            bars,
            unit,
            backgroundColor: bars.map((b) => (b.lowerBound ? stripes(colorOf(b.stack)) : colorOf(b.stack))),
            borderRadius: 3,
          },
        ],
      },
      options: {
        indexAxis: 'y',
        layout: { padding: { right: 8 } },
        scales: { x: { beginAtZero: true, suggestedMax: max * 1.22, title: { display: true, text: title } } },
        plugins: { legend: { display: false } },
      },
      plugins: [barLabels],
    });
  };

  // Overview: best Node.js over best Python per workload, floating bars from 1 on a log scale.
  if (data.overview.length) {
    const rows = data.overview;
    make('overview', {
      type: 'bar',
      data: {
        labels: rows.map((r) => r.workload),
        datasets: [
          {
            label: 'best Node.js ÷ best Python (req/s)',
            data: rows.map((r) => [1, r.ratio]),
            backgroundColor: rows.map((r) => (r.ratio >= 1 ? '#2f9e44' : '#1c7ed6')),
            borderRadius: 3,
          },
        ],
      },
      options: {
        indexAxis: 'y',
        scales: {
          x: {
            type: 'logarithmic',
            // Room on both sides of 1 for the labels drawn past the bar ends.
            min: Math.min(0.5, ...rows.map((r) => r.ratio / 5)),
            max: Math.max(2, ...rows.map((r) => r.ratio * 5)),
            title: { display: true, text: '← Python faster · ratio of req/s (log scale) · Node.js faster →' },
            ticks: {
              maxRotation: 0,
              autoSkip: false,
              callback: (v: number) => ([0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100].includes(v) ? `${v}x` : ''),
            },
          },
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: (c: any) => {
                const r = rows[c.dataIndex]!;
                return r.ratio >= 1
                  ? `${r.node} is ${r.ratio.toFixed(2)}x ${r.python}`
                  : `${r.python} is ${(1 / r.ratio).toFixed(2)}x ${r.node}`;
              },
            },
          },
        },
      },
      plugins: [
        {
          id: 'sbRatioLabels',
          afterDatasetsDraw(chart: any) {
            const ctx: CanvasRenderingContext2D = chart.ctx;
            chart.getDatasetMeta(0).data.forEach((el: any, j: number) => {
              const r = rows[j]!;
              const right = r.ratio >= 1;
              ctx.save();
              ctx.font = `600 10px ${family}`;
              ctx.fillStyle = '#343a40';
              ctx.textBaseline = 'middle';
              ctx.textAlign = right ? 'left' : 'right';
              const text = right
                ? `${r.node} ${r.ratio.toFixed(2)}x`
                : `${r.python} ${(1 / r.ratio).toFixed(2)}x`;
              // A floating bar spans [base, x] in either order: write past its outer end.
              ctx.fillText(text, right ? Math.max(el.x, el.base) + 4 : Math.min(el.x, el.base) - 4, el.y);
              ctx.restore();
            });
          },
        },
      ],
    });
  }

  const NINES = [0, Math.log10(2), 1, 2, 3, 4, 5];
  const NINE_LABELS = ['0', '50', '90', '99', '99.9', '99.99', '99.999'];

  for (const w of data.workloads) {
    const id = w.workload;
    // Throughput (closed loop, with its 95% CI) and capacity under the SLO, per stack.
    if (w.throughput.length || w.capacity.length) {
      const stacks = [...new Set([...w.throughput, ...w.capacity].map((b) => b.stack))];
      const pick = (list: Bar[]) => stacks.map((s) => list.find((b) => b.stack === s));
      const tp = pick(w.throughput);
      const cap = pick(w.capacity);
      const max = Math.max(...[...w.throughput, ...w.capacity].map((b) => b.high ?? b.value));
      make(`throughput-${id}`, {
        type: 'bar',
        data: {
          labels: stacks,
          datasets: [
            {
              label: `headline ${w.unit}/s (median, 95% CI)`,
              data: tp.map((b) => b?.value ?? null),
              bars: tp,
              backgroundColor: tp.map((b) =>
                !b ? '#000' : b.lowerBound ? stripes(colorOf(b.stack)) : colorOf(b.stack),
              ),
              borderRadius: 3,
            },
            {
              label: `capacity at p99 ≤ ${data.sloP99Ms} ms`,
              data: cap.map((b) => b?.value ?? null),
              bars: cap,
              backgroundColor: cap.map((b) =>
                !b ? '#000' : b.lowerBound ? stripes(colorOf(b.stack)) : alpha(colorOf(b.stack), 0.3),
              ),
              borderColor: cap.map((b) => (b ? colorOf(b.stack) : '#000')),
              borderWidth: 1.5,
              borderRadius: 3,
            },
          ],
        },
        options: {
          indexAxis: 'y',
          scales: {
            x: {
              beginAtZero: true,
              suggestedMax: max * 1.25,
              title: { display: true, text: `${w.unit} per second` },
            },
          },
          plugins: {
            legend: {
              labels: {
                generateLabels: (chart: any) =>
                  chart.data.datasets.map((ds: any, i: number) => ({
                    text: ds.label,
                    fillStyle: i === 0 ? '#868e96' : alpha('#868e96', 0.3),
                    strokeStyle: '#868e96',
                    lineWidth: i === 0 ? 0 : 1.5,
                    datasetIndex: i,
                    hidden: !chart.isDatasetVisible(i),
                  })),
              },
            },
          },
        },
        plugins: [barLabels],
      });
    }

    // Latency spectrum: percentile on a "nines" axis, one line per stack, the SLO dashed.
    if (w.latency.length) {
      const top = Math.max(...w.latency.flatMap((s) => s.points.map((p) => p[0])));
      const xMax = Math.min(5, Math.ceil(top));
      make(`latency-${id}`, {
        type: 'line',
        data: {
          datasets: [
            ...w.latency.map((s) => ({
              label: s.stack,
              data: s.points.map(([x, y, p]) => ({ x, y, p })),
              borderColor: colorOf(s.stack),
              backgroundColor: colorOf(s.stack),
              borderWidth: 2,
              pointRadius: 2,
            })),
            {
              label: `SLO p99 ≤ ${data.sloP99Ms} ms`,
              data: [
                { x: 0, y: data.sloP99Ms },
                { x: xMax, y: data.sloP99Ms },
              ],
              borderColor: '#e03131',
              borderDash: [6, 4],
              borderWidth: 1.5,
              pointRadius: 0,
            },
          ],
        },
        options: {
          parsing: false,
          interaction: { mode: 'nearest', intersect: false },
          scales: {
            x: {
              type: 'linear',
              min: 0,
              max: xMax,
              title: { display: true, text: 'percentile' },
              afterBuildTicks: (axis: any) => {
                axis.ticks = NINES.filter((v) => v <= xMax + 1e-9).map((value) => ({ value }));
              },
              ticks: {
                callback: (v: number) => NINE_LABELS[NINES.findIndex((n) => Math.abs(n - v) < 1e-6)] ?? '',
              },
            },
            y: { type: 'logarithmic', title: { display: true, text: 'latency, ms (log scale)' } },
          },
          plugins: {
            tooltip: {
              callbacks: {
                label: (c: any) =>
                  c.raw.p === undefined
                    ? c.dataset.label
                    : `${c.dataset.label}: p${c.raw.p} = ${fmt(c.raw.y)} ms`,
              },
            },
          },
        },
      });
    }

    // Throughput against concurrency, only when the suite measured more than one level.
    if (w.concurrency) {
      const cc = w.concurrency;
      make(`concurrency-${id}`, {
        type: 'line',
        data: {
          labels: cc.levels.map(String),
          datasets: cc.series.map((s) => ({
            label: s.stack,
            data: s.values,
            borderColor: colorOf(s.stack),
            backgroundColor: colorOf(s.stack),
            borderWidth: 2,
            pointRadius: 3,
            spanGaps: true,
          })),
        },
        options: {
          scales: {
            x: { title: { display: true, text: 'connections (closed loop)' } },
            y: { beginAtZero: true, title: { display: true, text: `${w.unit} per second` } },
          },
        },
      });
    }

    if (w.cpu.length)
      horizontalBars(`cpu-${id}`, w.cpu, ' µs', 'CPU time per request, µs (server process tree)');
    if (w.memory.length)
      horizontalBars(`memory-${id}`, w.memory, ' MiB', 'peak memory (PSS), MiB (server process tree)');
  }

  // Horizontal scaling: capacity against N per stack (bars are the brackets), its ideal line, its USL curve.
  for (const sc of data.scaling) {
    const datasets: any[] = [];
    for (const s of sc.series) {
      const color = colorOf(s.stack);
      datasets.push({
        label: s.stack,
        data: s.points.map((p) => ({ x: p.n, y: p.value, low: p.low, high: p.high })),
        borderColor: color,
        backgroundColor: color,
        borderWidth: 2,
        pointRadius: 4,
        showLine: true,
      });
      // A curve drawn over the stack's points for comparison: a thin dashed line in its colour, no dots.
      const guide = (
        label: string,
        points: Array<{ n: number; value: number }>,
        a: number,
        dash: number[],
      ) => ({
        label: `${s.stack}: ${label}`,
        data: points.map((p) => ({ x: p.n, y: p.value })),
        borderColor: alpha(color, a),
        borderDash: dash,
        borderWidth: 1.5,
        pointRadius: 0,
        showLine: true,
      });
      if (s.ideal.length) datasets.push(guide('linear (N x C(1))', s.ideal, 0.45, [4, 4]));
      if (s.usl) datasets.push(guide('USL fit', s.usl, 0.7, [1, 3]));
    }
    const brackets = overEachShown('sbBrackets', (ctx, chart, ds, el, j) => {
      const p = ds.data[j];
      if (p?.low === undefined) return;
      const y = chart.scales.y;
      const top = y.getPixelForValue(p.high ?? p.value);
      ctx.save();
      ctx.strokeStyle = ds.borderColor;
      ctx.lineWidth = 1.2;
      ctx.beginPath();
      ctx.moveTo(el.x, y.getPixelForValue(p.low));
      ctx.lineTo(el.x, top);
      ctx.stroke();
      ctx.restore();
    });
    make(`scaling-${sc.workload}`, {
      type: 'scatter',
      data: { datasets },
      options: {
        scales: {
          x: {
            type: 'linear',
            min: 1,
            ticks: { stepSize: 1 },
            title: { display: true, text: 'replicas (N)' },
          },
          y: {
            beginAtZero: true,
            title: { display: true, text: `capacity, ${sc.unit} per second within the SLO` },
          },
        },
      },
      plugins: [brackets],
    });
  }

  // The sweep: time per request against size, both log scales; Node.js implementations dashed by kind.
  for (const cx of data.crossover) {
    const seen = new Map<string, number>();
    const datasets = cx.series.map((s) => {
      const k = seen.get(s.stack) ?? 0;
      seen.set(s.stack, k + 1);
      const color = colorOf(s.stack);
      return {
        label: s.label,
        data: s.points,
        borderColor: k ? alpha(color, 0.6) : color,
        backgroundColor: k ? alpha(color, 0.6) : color,
        borderDash: k ? [5, 4] : [],
        borderWidth: 2,
        pointRadius: 3,
        showLine: true,
      };
    });
    const flip = {
      id: 'sbFlip',
      beforeDatasetsDraw(chart: any) {
        if (!cx.flip) return;
        const ctx: CanvasRenderingContext2D = chart.ctx;
        const x = chart.scales.x;
        const area = chart.chartArea;
        const l = x.getPixelForValue(cx.flip.above);
        const r = x.getPixelForValue(cx.flip.below);
        ctx.save();
        ctx.fillStyle = 'rgba(128,128,128,0.12)';
        ctx.fillRect(l, area.top, r - l, area.bottom - area.top);
        ctx.restore();
      },
    };
    make(cx.id, {
      type: 'scatter',
      data: { datasets },
      options: {
        scales: {
          x: { type: 'logarithmic', title: { display: true, text: cx.sizeLabel } },
          y: { type: 'logarithmic', title: { display: true, text: 'ms per request (one connection)' } },
        },
      },
      plugins: [flip],
    });
  }

  // Tell whoever waits (the browser test, a screenshot script) that every chart has drawn.
  requestAnimationFrame(() => {
    doc.body.dataset.chartsRendered = String(count + Number(doc.body.dataset.verdictCharts ?? 0));
  });
}
