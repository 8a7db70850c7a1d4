// The progress line `stackbench run` keeps on stderr: elapsed time, the cell being measured, its live rate and
// the time left, which counts down within a step (a ticker redraws it every second). On a terminal it is one
// line fitted to the terminal's width, redrawn in place; elsewhere (a log, CI) one line per step.
import type { RunEvent } from '../runner/runner.js';

const mmss = (s: number) => `${Math.floor(s / 60)}m${String(Math.round(s % 60) % 60).padStart(2, '0')}s`;

/** Cut a line to `width` visible characters (ellipsis at the end), so a redraw never wraps. */
export function fitLine(line: string, width: number): string {
  if (width <= 1 || line.length < width) return line;
  return `${line.slice(0, width - 2)}…`;
}

export interface Progress {
  onEvent(e: RunEvent): void;
  /** Stop the ticker and clear the live line. */
  done(): void;
}

export function runProgress(live: boolean, secondsPerCell: number, out = process.stderr): Progress {
  const t0 = Date.now();
  let cell = '';
  let rate = '';
  let plannedEnd = 0; // when the run is expected to end, as of the current cell's start
  const left = () => (plannedEnd ? ` · ~${mmss(Math.max(0, (plannedEnd - Date.now()) / 1000))} left` : '');
  const draw = (text: string, newline: boolean) => {
    const line = `${Math.round((Date.now() - t0) / 1000)}s ${text}`;
    if (live) out.write(`\r\x1b[K${fitLine(line, out.columns ?? 80)}`);
    else if (newline) out.write(`${line}\n`);
  };
  const ticker = live ? setInterval(() => cell && draw(`${cell}${rate}${left()}`, false), 1000) : undefined;
  ticker?.unref();
  return {
    onEvent(e) {
      if (e.type === 'stack') draw(`${e.stack}: ${e.note}`, true);
      else if (e.type === 'skip') draw(`${e.stack}: skipped — ${e.reason}`, true);
      else if (e.type === 'cell') {
        plannedEnd = Date.now() + (e.total - e.index + 1) * secondsPerCell * 1000;
        cell = `[${e.index}/${e.total}] ${e.stack} · ${e.workload}`;
        rate = '';
        draw(`${cell}${left()}`, true);
      } else if (e.type === 'load' && live) {
        rate = ` · ${Math.round(e.rps).toLocaleString('en-US')}/s`;
        draw(`${cell}${rate}${left()}`, false);
      }
    },
    done() {
      if (ticker) clearInterval(ticker);
      if (live) out.write('\r\x1b[K');
    },
  };
}
