// A load's window cut into slices: answers (deliveries) and errors per slice, and each slice's p99 latency. A
// fault reads its shape over time from it; the split-cost study reads one N per slice (the N's take turns).
// Latencies are kept only for the slices' p99s, so a timeline is for short loads, which every user of it runs.

export interface TimelineCounts {
  ok: number[];
  errors: number[];
  /** Each slice's p99 of its successful answers' latencies, ms; null for a slice with none. */
  p99Ms: Array<number | null>;
}

export class Timeline {
  private readonly ok: number[] = [];
  private readonly errors: number[] = [];
  private readonly latencies: number[][] = [];

  constructor(private readonly sliceMs: number) {}

  /** One answer (with its latency) or error, `sinceStartMs` after the window opened; before it: none. */
  mark(sinceStartMs: number, ok: boolean, latencyUs?: number): void {
    if (sinceStartMs < 0) return;
    const slice = Math.floor(sinceStartMs / this.sliceMs);
    while (this.ok.length <= slice) {
      this.ok.push(0);
      this.errors.push(0);
      this.latencies.push([]);
    }
    if (!ok) {
      this.errors[slice]!++;
      return;
    }
    this.ok[slice]!++;
    if (latencyUs !== undefined) this.latencies[slice]!.push(latencyUs);
  }

  counts(): TimelineCounts {
    return { ok: [...this.ok], errors: [...this.errors], p99Ms: this.latencies.map(p99Ms) };
  }
}

function p99Ms(us: number[]): number | null {
  if (us.length === 0) return null;
  const sorted = Float64Array.from(us).sort();
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)]! / 1000;
}

/**
 * Several shards' timelines as one: counts added slice by slice; a slice's p99 is the highest of the shards'
 * (the p99 of their union is not kept; one thread, as the study and a fault run, makes it exact).
 */
export function mergeTimelines(sliceMs: number, parts: Array<TimelineCounts | undefined>) {
  const len = Math.max(0, ...parts.map((t) => t?.ok.length ?? 0));
  const sum = (key: 'ok' | 'errors') =>
    Array.from({ length: len }, (_, i) => parts.reduce((a, t) => a + (t?.[key][i] ?? 0), 0));
  const p99Ms = Array.from({ length: len }, (_, i) => {
    const xs = parts.map((t) => t?.p99Ms[i]).filter((x): x is number => typeof x === 'number');
    return xs.length ? Math.max(...xs) : null;
  });
  return { sliceMs, ok: sum('ok'), errors: sum('errors'), p99Ms };
}
