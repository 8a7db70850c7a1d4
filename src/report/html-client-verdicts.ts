/* eslint-disable @typescript-eslint/no-explicit-any -- Chart.js arrives as an untyped UMD global in the page */
// The verdict cards' pictures, drawn in the browser. Like html-client.ts, html.ts inlines this function's source
// (Function.prototype.toString), so it stays self-contained: no imports, no outside helpers; types only.
// Bars: the claim's side against its strongest opponent per workload, log scale, 95 % whiskers, a lower bound
// striped with an open whisker; beside each pair its outcome — the ratio for a win or a loss, "= tie" with a
// bracket joining the two for a tie, "? lean" for an undecided one. Scaling: E(N) with the linear line.
// Crossover: Python's speed over Node.js by size, the even line, the flip shaded, a size a side failed at crossed.
import type { ClientDraw } from './html-client-draw.js';
import type { CardBar, CardGroup, VerdictChart } from './verdict-charts.js';

export function verdictClient(
  Chart: any,
  data: { verdicts: VerdictChart[]; colors: Record<string, string> },
  draw: ClientDraw,
): void {
  const doc = document;
  const family = getComputedStyle(doc.body).fontFamily;
  const INK = '#343a40';
  const OUTCOME: Record<string, string> = {
    win: '#2b8a3e',
    loss: '#c92a2a',
    tie: '#495057',
    undecided: '#e67700',
    'cannot serve': '#2b8a3e',
  };
  const colorOf = (stack: string) => data.colors[stack] ?? '#868e96';
  const short = (n: number): string =>
    n >= 1e6
      ? `${Number((n / 1e6).toPrecision(2))}M`
      : n >= 1e5
        ? `${Math.round(n / 1e3)}k`
        : n >= 1e3
          ? `${(n / 1e3).toFixed(1).replace(/\.0$/, '')}k`
          : n >= 10 || Number.isInteger(n)
            ? String(Math.round(n))
            : n.toFixed(1);
  const pct = (x: number) => `${Math.round(x * 100)}%`;

  // A lower bound's bar (fill 1/3: #rrggbb55).
  const stripes = (hex: string) => draw.stripes(hex, { size: 6, fill: 1 / 3, lineWidth: 1.5 });

  const outcomeText = (g: CardGroup, scaling: boolean): string => {
    if (g.outcome === 'cannot serve') return 'no rival';
    if (scaling)
      return { win: 'Node.js ↑', loss: 'Python ↑', tie: '= alike', undecided: '? undecided' }[g.outcome];
    const ratio = g.text.split(' ')[0] ?? '';
    if (g.outcome === 'tie') return '= tie';
    // A lower bound (no ceiling found) bounds the ratio on one side: the claim's side's floor from below ("≥"),
    // its opponent's from above ("≤"); two of them decide nothing, so no ratio is shown.
    const [favFloor, oppFloor] = [g.fav?.high === null, g.opp?.high === null];
    if (favFloor && oppFloor) return '? bounds';
    const bounded = favFloor ? `≥${ratio}` : oppFloor ? `≤${ratio}` : ratio;
    return g.outcome === 'undecided' ? `? ${bounded}` : bounded;
  };

  // A bar's 95 % whisker; open above (a lower bound), an arrow head. Returns where the bar's ink ends.
  const whisker = (ctx: CanvasRenderingContext2D, chart: any, el: any, b: CardBar): number => {
    const x = chart.scales.x;
    const lo = x.getPixelForValue(Math.max(b.low, x.min));
    const hi = b.high === null ? chart.chartArea.right - 2 : x.getPixelForValue(Math.min(b.high, x.max));
    draw.whisker(ctx, lo, hi, el.y, 2.5, 1, b.high === null);
    return b.high === null ? el.x : Math.max(el.x, hi);
  };

  // "fastify 18.5k": inside the bar when it has room; else after its whisker, or after the bar with a halo over
  // the whisker, short of the outcome's column (the padding right of the plot).
  const barLabel = (
    ctx: CanvasRenderingContext2D,
    chart: any,
    el: any,
    b: CardBar,
    end: number,
    scaling: boolean,
  ) => {
    const left = chart.chartArea.left;
    const label = `${b.stack} ${b.high === null ? '≥' : ''}${scaling ? pct(b.value) : short(b.value)}`;
    const w = ctx.measureText(label).width;
    const limit = chart.chartArea.right + 2;
    if (el.x - left > w + 8) {
      ctx.fillStyle = b.high === null ? INK : '#fff';
      ctx.fillText(label, left + 4, el.y);
      return;
    }
    const at = end + 4 + w <= limit ? end + 4 : Math.min(el.x + 3, limit - w);
    ctx.lineWidth = 3;
    ctx.strokeStyle = '#fff';
    ctx.strokeText(label, at, el.y);
    ctx.fillStyle = INK;
    ctx.fillText(label, at, el.y);
  };

  // The outcome beside a pair; a tie drawn as a tie: a bracket joins the two bars.
  const outcomeMark = (
    ctx: CanvasRenderingContext2D,
    chart: any,
    g: CardGroup,
    ys: number[],
    scaling: boolean,
  ) => {
    if (!ys.length) return;
    ctx.font = `700 10.5px ${family}`;
    ctx.fillStyle = OUTCOME[g.outcome] ?? INK;
    ctx.textAlign = 'right';
    ctx.fillText(outcomeText(g, scaling), chart.width - 2, ys.reduce((a, b) => a + b, 0) / ys.length);
    if (g.outcome !== 'tie' || ys.length !== 2) return;
    const bx = chart.chartArea.right + 4;
    ctx.strokeStyle = OUTCOME.tie!;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(bx - 3, ys[0]!);
    ctx.lineTo(bx, ys[0]!);
    ctx.lineTo(bx, ys[1]!);
    ctx.lineTo(bx - 3, ys[1]!);
    ctx.stroke();
  };

  const pairs = (groups: CardGroup[], scaling: boolean) => ({
    id: 'sbPairs',
    afterDatasetsDraw(chart: any) {
      const ctx: CanvasRenderingContext2D = chart.ctx;
      const ys: number[][] = groups.map(() => []);
      chart.data.datasets.forEach((ds: any, i: number) => {
        chart.getDatasetMeta(i).data.forEach((el: any, j: number) => {
          const b: CardBar | null = ds.bars[j];
          ctx.save();
          ctx.font = `600 9.5px ${family}`;
          ctx.textBaseline = 'middle';
          if (b) {
            barLabel(ctx, chart, el, b, whisker(ctx, chart, el, b), scaling);
            ys[j]!.push(el.y);
          } else if (i === 1 && groups[j]!.outcome === 'cannot serve') {
            ctx.fillStyle = '#868e96';
            ctx.fillText('others cannot serve it', chart.chartArea.left + 4, el.y);
          }
          ctx.restore();
        });
      });
      groups.forEach((g, j) => {
        ctx.save();
        ctx.textBaseline = 'middle';
        outcomeMark(ctx, chart, g, ys[j]!, scaling);
        ctx.restore();
      });
    },
  });

  const barChart = (canvas: Element, v: Extract<VerdictChart, { kind: 'bars' | 'scaling' }>) => {
    const scaling = v.kind === 'scaling';
    const gs = v.groups;
    // The outcome's column is as wide as its widest text ("? undecided" would run into the bars' labels).
    const measure = (canvas as HTMLCanvasElement).getContext('2d')!;
    measure.font = `700 10.5px ${family}`;
    const outcomeWidth = Math.max(...gs.map((g) => measure.measureText(outcomeText(g, scaling)).width));
    const all = gs.flatMap((g) => [g.fav, g.opp]).filter((b): b is CardBar => b !== null);
    const lows = all.map((b) => (b.low > 0 ? b.low : b.value));
    const highs = all.map((b) => b.high ?? b.value * 1.5);
    const xScale = scaling
      ? {
          type: 'linear',
          min: 0,
          max: Math.ceil(Math.min(4, Math.max(1.25, ...highs.map((h) => h * 1.05))) * 2) / 2,
          ticks: { callback: (t: number) => pct(t), maxTicksLimit: 5 },
        }
      : {
          type: 'logarithmic',
          min: 10 ** Math.floor(Math.log10(Math.min(...lows) / 1.5)),
          max: 10 ** Math.ceil(Math.log10(Math.max(...highs) * 1.2)),
          ticks: {
            callback: (t: number) => (Number.isInteger(Math.log10(t)) ? short(t) : ''),
            maxRotation: 0,
            autoSkip: false,
          },
        };
    const side = (k: 'fav' | 'opp') => ({
      data: gs.map((g) => g[k]?.value ?? null),
      bars: gs.map((g) => g[k]),
      backgroundColor: gs.map((g) => {
        const b = g[k];
        if (!b) return '#000';
        return b.high === null ? stripes(colorOf(b.stack)) : colorOf(b.stack);
      }),
      borderRadius: 2,
      barPercentage: 0.92,
      categoryPercentage: 0.86,
    });
    const linear = {
      id: 'sbLinear',
      beforeDatasetsDraw(chart: any) {
        if (!scaling) return;
        const px = chart.scales.x.getPixelForValue(1);
        const ctx: CanvasRenderingContext2D = chart.ctx;
        ctx.save();
        ctx.strokeStyle = '#adb5bd';
        ctx.setLineDash([3, 3]);
        ctx.beginPath();
        ctx.moveTo(px, chart.chartArea.top);
        ctx.lineTo(px, chart.chartArea.bottom);
        ctx.stroke();
        ctx.restore();
      },
    };
    new Chart(canvas, {
      type: 'bar',
      data: { labels: gs.map((g) => g.label), datasets: [side('fav'), side('opp')] },
      options: {
        indexAxis: 'y',
        animation: false,
        maintainAspectRatio: false,
        events: [],
        layout: { padding: { right: Math.ceil(outcomeWidth) + 10, top: 2 } },
        scales: {
          x: {
            ...xScale,
            grid: { color: '#f1f3f5' },
            title: { display: true, text: v.axis, font: { size: 9.5 }, padding: 0 },
          },
          y: { grid: { display: false }, ticks: { font: { size: 10, weight: '600' } } },
        },
        plugins: { legend: { display: false }, tooltip: { enabled: false } },
      },
      plugins: [linear, pairs(gs, scaling)],
    });
  };

  const POINT = { python: '#1c7ed6', node: '#2f9e44', tie: '#868e96', undecided: '#ced4da' } as const;

  // Under the curves: the size range where Python takes over, the even line, which side is which, whiskers.
  const crossoverDecor = (v: Extract<VerdictChart, { kind: 'crossover' }>, min: number, max: number) => ({
    id: 'sbCrossover',
    beforeDatasetsDraw(chart: any) {
      const ctx: CanvasRenderingContext2D = chart.ctx;
      const { left, right, top, bottom } = chart.chartArea;
      const x = chart.scales.x;
      const y = chart.scales.y;
      ctx.save();
      for (const c of v.curves) {
        if (!c.flip) continue;
        ctx.fillStyle = 'rgba(28,126,214,0.10)';
        const l = x.getPixelForValue(c.flip.above);
        ctx.fillRect(l, top, x.getPixelForValue(c.flip.below) - l, bottom - top);
      }
      const even = y.getPixelForValue(1);
      ctx.strokeStyle = '#868e96';
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.moveTo(left, even);
      ctx.lineTo(right, even);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.font = `600 9.5px ${family}`;
      ctx.fillStyle = POINT.python;
      ctx.fillText('↑ Python faster', left + 4, top + 10);
      ctx.fillStyle = POINT.node;
      ctx.fillText('↓ Node.js faster', left + 4, bottom - 5);
      ctx.strokeStyle = '#495057';
      ctx.lineWidth = 1;
      for (const p of v.curves.flatMap((c) => c.points)) {
        const px = x.getPixelForValue(p.x);
        ctx.beginPath();
        ctx.moveTo(px, y.getPixelForValue(Math.max(p.low, min)));
        ctx.lineTo(px, y.getPixelForValue(Math.min(p.high, max)));
        ctx.stroke();
      }
      // A size one side failed at: a cross on the edge of the side that won it, and who failed.
      ctx.lineWidth = 2;
      ctx.font = `600 9px ${family}`;
      for (const c of v.curves)
        for (const f of c.failed) {
          const px = x.getPixelForValue(f.x);
          const py = f.side === 'python' ? bottom - 14 : top + 16;
          const won = f.side === 'python' ? POINT.node : POINT.python;
          ctx.strokeStyle = won;
          ctx.beginPath();
          ctx.moveTo(px - 4, py - 4);
          ctx.lineTo(px + 4, py + 4);
          ctx.moveTo(px + 4, py - 4);
          ctx.lineTo(px - 4, py + 4);
          ctx.stroke();
          const who = f.side === 'node' ? 'Node.js' : c.family === 'ml' ? 'NumPy' : 'pandas';
          const label = `${v.curves.length > 1 ? `${c.label}: ` : ''}${who} failed`;
          ctx.fillStyle = won;
          ctx.textAlign = 'right';
          ctx.fillText(label, px - 6, py + 3);
        }
      ctx.restore();
    },
  });

  const crossoverChart = (canvas: Element, v: Extract<VerdictChart, { kind: 'crossover' }>) => {
    const dash = [[], [5, 3], [2, 2], [8, 3, 2, 3]];
    const pointColor = POINT;
    // The range follows the medians: an interval from two runs can span 10^6, and would squash the curve flat;
    // whiskers beyond the range are cut at its edge.
    const ys = v.curves.flatMap((c) => c.points.map((p) => p.y)).filter((y) => y > 0);
    const min = Math.min(0.5, ...ys) / 5;
    const max = Math.max(2, ...ys) * 5;
    const xs = v.curves.flatMap((c) => [...c.points.map((p) => p.x), ...c.failed.map((f) => f.x)]);
    const decorate = crossoverDecor(v, min, max);
    new Chart(canvas, {
      type: 'scatter',
      data: {
        datasets: v.curves.map((c, i) => ({
          label: c.label,
          data: c.points.map((p) => ({ x: p.x, y: p.y })),
          showLine: true,
          borderColor: '#495057',
          borderDash: dash[i % dash.length],
          borderWidth: 1.5,
          pointRadius: 3.5,
          pointBackgroundColor: c.points.map((p) => pointColor[p.outcome]),
          pointBorderColor: c.points.map((p) => pointColor[p.outcome]),
        })),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        events: [],
        layout: { padding: { right: 6 } },
        scales: {
          x: {
            type: 'logarithmic',
            min: Math.min(...xs) / 1.5,
            max: Math.max(...xs) * 1.5,
            title: { display: true, text: v.sizeLabel, font: { size: 9.5 }, padding: 0 },
            ticks: {
              callback: (t: number) => (Number.isInteger(Math.log10(t)) ? short(t) : ''),
              maxRotation: 0,
            },
            grid: { color: '#f1f3f5' },
          },
          y: {
            type: 'logarithmic',
            min,
            max,
            ticks: {
              // Over more than three decades the 3s crowd a card's height: powers of ten only.
              callback: (t: number) =>
                (Math.log10(max / min) > 3 ? [0.01, 0.1, 1, 10, 100] : [0.1, 0.3, 1, 3, 10, 30, 100]).some(
                  (n) => Math.abs(t / n - 1) < 1e-6,
                )
                  ? `${Number(t.toPrecision(1))}x`
                  : '',
              autoSkip: false,
            },
            grid: { color: '#f1f3f5' },
          },
        },
        plugins: {
          legend: {
            display: v.curves.length > 1,
            position: 'right',
            labels: { boxWidth: 14, boxHeight: 1, font: { size: 9.5 } },
          },
          tooltip: { enabled: false },
        },
      },
      plugins: [decorate],
    });
  };

  let drawn = 0;
  for (const v of data.verdicts) {
    const canvas = doc.querySelector(`canvas[data-chart="verdict-${v.claim}"]`);
    if (!canvas || v.kind === 'none') continue;
    if (v.kind === 'crossover') crossoverChart(canvas, v);
    else barChart(canvas, v);
    drawn++;
  }
  doc.body.dataset.verdictCharts = String(drawn);
}
