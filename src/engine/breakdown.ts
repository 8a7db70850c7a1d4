// The per-request breakdown of a mix: each shard counts responses, errors and latency for each request of the
// mix (the one its connection sent), and the parent merges the shards exactly. The merged histogram of the
// whole run is the sum of these, so a mix records each latency once, as a single request does.
import { encodeHistogram, mergeEncoded, newHistogram, summarize, type Histogram } from './histogram.js';
import type { RequestFigures } from './types.js';

/** What one shard counted for each request of the mix, by index. */
export interface ShardBreakdown {
  requests: number[];
  errors: number[];
  histograms: string[];
}

export class Breakdown {
  private readonly requests: number[];
  private readonly errors: number[];
  private readonly hists: Histogram[];

  constructor(size: number) {
    this.requests = new Array<number>(size).fill(0);
    this.errors = new Array<number>(size).fill(0);
    this.hists = Array.from({ length: size }, () => newHistogram());
  }

  /** A successful response of request r, `us` after its origin. */
  ok(r: number, us: number): void {
    this.requests[r]!++;
    this.hists[r]!.recordValue(us);
  }

  /** A response of request r with an error status. */
  status(r: number): void {
    this.requests[r]!++;
    this.errors[r]!++;
  }

  /** Request r failed on the wire (reset, timeout, malformed): an error, not a response. */
  failure(r: number): void {
    this.errors[r]!++;
  }

  /** Adds every request's latencies into the whole run's histogram. */
  addInto(total: Histogram): void {
    for (const h of this.hists) total.add(h);
  }

  /** The counts, encoded for the parent; the histograms are freed. */
  finish(): ShardBreakdown {
    const histograms = this.hists.map((h) => encodeHistogram(h));
    for (const h of this.hists) h.destroy();
    return { requests: [...this.requests], errors: [...this.errors], histograms };
  }
}

/** The shards' breakdowns merged, request by request, under the mix's names. */
export function mergeBreakdowns(names: string[], parts: ShardBreakdown[]): RequestFigures[] {
  return names.map((name, r) => {
    const hist = mergeEncoded(parts.map((p) => p.histograms[r]!));
    const figures: RequestFigures = {
      name,
      requests: parts.reduce((a, p) => a + p.requests[r]!, 0),
      errors: parts.reduce((a, p) => a + p.errors[r]!, 0),
      latency: summarize(hist),
      histogram: encodeHistogram(hist),
    };
    hist.destroy();
    return figures;
  });
}
