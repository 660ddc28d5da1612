/** What a benchmark module returns: flat metrics merged into results/bench/*.json, and a few lines for people. */
export interface BenchResult {
  metrics: Record<string, number | string>;
  summary: string[];
}
