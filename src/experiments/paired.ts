// Whether a difference between two runs is real: paired speaker-bootstrap intervals of each metric's difference.
import {
  formatMetricValue,
  metricDefinition,
  metricsOfGroups,
  pairedSpeakerBootstrap,
  pairedVerdict,
  type IntervalMetric,
  type PairedDifference,
  type TrialGroups,
} from "../metrics/index.ts";
import type { ScoresTable } from "../scoring/scores-csv.ts";
import { printable } from "../core/errors.ts";
import { escapeHtml } from "../reports/index.ts";

/** Resamples and seed of the comparison's bootstrap (fixed, so a comparison is reproducible). */
export const PAIRED_DEFAULTS = { iterations: 1000, seed: 1, confidence: 0.95 } as const;

/** The metrics compared, in table order (all lower-is-better). */
const PAIRED_METRICS: readonly IntervalMetric[] = ["eer", "min_dcf_p0.01", "min_dcf_p0.05", "cllr", "min_cllr"];

/** A run as the paired comparison sees it. */
export interface PairedRun {
  /** Short name for sentences ("demo-asnorm is better than demo"). */
  label: string;
  scores: ScoresTable;
}

export type PairedComparison =
  | { baseline: string; run: string; applies: true; trials: number; speakers: number; differences: Record<IntervalMetric, PairedDifference> }
  | { baseline: string; run: string; applies: false; reason: string };

/** The speaker of an utterance path `<speaker>/<session>/<file>` (VoxLab's layout); an id without a folder is its own speaker. */
export function speakerOfPath(path: string): string {
  const slash = path.indexOf("/");
  return slash < 0 ? path : path.slice(0, slash);
}

/**
 * B's trial order matched to A's: index[i] = B's row of A's trial i, or a reason the two lists are not
 * the same trials (named by enroll, test and label).
 */
function alignTrials(a: ScoresTable, b: ScoresTable): Uint32Array | string {
  if (a.trials === undefined || b.trials === undefined) return "a scores.csv has no enroll and test columns to match trials by";
  if (a.scores.length !== b.scores.length) return `different trial lists (${a.scores.length} and ${b.scores.length} trials)`;
  const key = (t: NonNullable<ScoresTable["trials"]>, labels: Uint8Array, i: number) => `${t.enroll[i]}\n${t.test[i]}\n${labels[i]}`;
  const rowOf = new Map<string, number>();
  for (let i = 0; i < b.scores.length; i++) rowOf.set(key(b.trials, b.labels, i), i);
  if (rowOf.size !== b.scores.length) return "the trial list names a trial twice, so trials cannot be matched one to one";
  const index = new Uint32Array(a.scores.length);
  for (let i = 0; i < a.scores.length; i++) {
    const row = rowOf.get(key(a.trials, a.labels, i));
    if (row === undefined) return `different trial lists (trial ${printable(a.trials.enroll[i])} ${printable(a.trials.test[i])} is in one only)`;
    index[i] = row;
  }
  return index;
}

/** Each run after the first against the first: the paired difference of every metric, or why it does not apply. */
export interface PairedOptions {
  iterations?: number;
  seed?: number;
  /** Resamples done in comparison `pair` (1-based: the second run against the first is 1) of `pairs`. */
  onProgress?: (pair: number, pairs: number, done: number, total: number) => void;
}

export function pairedComparisons(runs: readonly PairedRun[], { onProgress, ...options }: PairedOptions = {}): PairedComparison[] {
  const [baseline, ...others] = runs;
  const metrics = (groups: TrialGroups): Record<IntervalMetric, number> => {
    const all = metricsOfGroups(groups);
    return Object.fromEntries(PAIRED_METRICS.map((k) => [k, all[k]])) as Record<IntervalMetric, number>;
  };
  return others.map((run, pair): PairedComparison => {
    const names = { baseline: baseline.label, run: run.label };
    const aligned = alignTrials(baseline.scores, run.scores);
    if (typeof aligned === "string") return { ...names, applies: false, reason: aligned };
    const { enroll, test } = baseline.scores.trials ?? { enroll: [], test: [] };
    const differences = pairedSpeakerBootstrap(
      {
        a: baseline.scores.scores,
        b: Float64Array.from(aligned, (row) => run.scores.scores[row]),
        labels: baseline.scores.labels,
        enrollSpeakers: enroll.map(speakerOfPath),
        testSpeakers: test.map(speakerOfPath),
      },
      metrics,
      { ...PAIRED_DEFAULTS, ...options, onProgress: onProgress && ((done, total) => onProgress(pair + 1, others.length, done, total)) },
    );
    return { ...names, applies: true, trials: aligned.length, speakers: differences.eer.speakers, differences };
  });
}

const format = (key: IntervalMetric, value: number): string => formatMetricValue(metricDefinition(key).unit, value);
const signed = (key: IntervalMetric, value: number): string => (value > 0 ? "+" : "") + format(key, value);

/** The method, in one paragraph (markdown and HTML say the same). */
export function pairedMethod(comparisons: readonly PairedComparison[]): string {
  const done = comparisons.find((c) => c.applies);
  const iterations = done?.applies ? done.differences.eer.iterations : PAIRED_DEFAULTS.iterations;
  return (
    `Paired differences B − A against the first run (A), for runs scored on the same trial list. 95 % percentile intervals from ${iterations} ` +
    `bootstrap resamples (seed ${PAIRED_DEFAULTS.seed}) that draw speakers, not trials, with replacement: a speaker drawn w times brings its ` +
    "trials w times (a trial between two speakers w_e·w_t times), and both runs get the same draws, so the interval keeps the dependence of " +
    "trials that share a speaker. Speakers are the first folder of each trial's paths. For every metric lower is better: an interval below 0 " +
    "means B is better than A, above 0 that A is better; an interval containing 0 means no significant difference. EER differences are in " +
    "percentage points."
  );
}

interface Row {
  pair: string;
  metric: string;
  a: string;
  b: string;
  difference: string;
  interval: string;
  verdict: string;
}

function rows(comparisons: readonly PairedComparison[]): Row[] {
  return comparisons.flatMap((c): Row[] => {
    const pair = `${c.run} vs ${c.baseline}`;
    if (!c.applies) return [{ pair, metric: "—", a: "", b: "", difference: "", interval: "", verdict: `the paired test does not apply: ${c.reason}` }];
    return PAIRED_METRICS.map((key) => {
      const d = c.differences[key];
      return {
        pair,
        metric: metricDefinition(key).label,
        a: format(key, d.a),
        b: format(key, d.b),
        difference: signed(key, d.difference),
        interval: `[${signed(key, d.lower)}, ${signed(key, d.upper)}]`,
        verdict: pairedVerdict(d, c.baseline, c.run),
      };
    });
  });
}

const HEADER = ["B vs A", "metric", "A", "B", "B − A", "95 % interval", "verdict"];
const cells = (r: Row): string[] => [r.pair, r.metric, r.a, r.b, r.difference, r.interval, r.verdict];

/** The paired differences as markdown: the method, then one row per metric and pair. */
export function pairedMarkdown(comparisons: readonly PairedComparison[]): string {
  if (comparisons.length === 0) return "";
  // Names come from folders and configs: control characters and "|" must not break a row.
  const line = (values: readonly string[]) => `| ${values.map((v) => printable(v).replace(/\|/g, "\\|")).join(" | ")} |\n`;
  return `\n${pairedMethod(comparisons)}\n\n${line(HEADER)}${line(HEADER.map((_, i) => (i >= 2 && i <= 5 ? "---:" : "---")))}${rows(comparisons).map((r) => line(cells(r))).join("")}`;
}

/** The paired differences as an HTML section. */
export function pairedHtml(comparisons: readonly PairedComparison[]): string {
  if (comparisons.length === 0) return "";
  const tr = (values: readonly string[], tag: "th" | "td") => `<tr>${values.map((v) => `<${tag}>${escapeHtml(v)}</${tag}>`).join("")}</tr>`;
  return `<section id="paired"><h2>Is the difference real?</h2>
<p>${escapeHtml(pairedMethod(comparisons))}</p>
<table class="paired"><thead>${tr(HEADER, "th")}</thead><tbody>
${rows(comparisons).map((r) => tr(cells(r), "td")).join("\n")}
</tbody></table></section>`;
}
