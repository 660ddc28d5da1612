import type { TopLevelSpec } from "vega-lite";
import { VoxlabError } from "../core/errors.ts";
import type { Labels } from "../metrics/index.ts";

/** One speaker's errors at a threshold, over the trials enrolled on that speaker. */
export interface SpeakerErrors {
  speaker: string;
  targets: number;
  nontargets: number;
  misses: number;
  falseAlarms: number;
}

/**
 * Per-enrolled-speaker miss and false-alarm counts at a threshold (accept score >= threshold),
 * ordered by total errors, most first (ties by speaker name).
 */
export function speakerErrors(scores: ArrayLike<number>, labels: Labels, speakers: ArrayLike<string>, threshold: number): SpeakerErrors[] {
  if (scores.length !== labels.length || scores.length !== speakers.length) {
    throw new VoxlabError(`per-speaker errors: ${scores.length} scores, ${labels.length} labels and ${speakers.length} speakers; they must match`);
  }
  const bySpeaker = new Map<string, SpeakerErrors>();
  for (let i = 0; i < scores.length; i++) {
    const speaker = speakers[i];
    let row = bySpeaker.get(speaker);
    if (row === undefined) {
      row = { speaker, targets: 0, nontargets: 0, misses: 0, falseAlarms: 0 };
      bySpeaker.set(speaker, row);
    }
    const accepted = scores[i] >= threshold;
    if (labels[i] === 1 || labels[i] === true) {
      row.targets++;
      if (!accepted) row.misses++;
    } else {
      row.nontargets++;
      if (accepted) row.falseAlarms++;
    }
  }
  return [...bySpeaker.values()].sort(
    (a, b) => b.misses + b.falseAlarms - (a.misses + a.falseAlarms) || (a.speaker < b.speaker ? -1 : a.speaker > b.speaker ? 1 : 0),
  );
}

export interface PerSpeakerErrorOptions {
  /** Show rates (errors / trials of that kind) instead of counts. */
  rates?: boolean;
  /** Speakers shown, those with the most errors first (default 30). */
  top?: number;
  title?: string;
  width?: number;
}

export interface SpeakerErrorRow {
  speaker: string;
  kind: "miss" | "false alarm";
  count: number;
  trials: number;
  rate: number;
}

/** Horizontal bars of the misses and false alarms of the speakers with the most errors. */
export function perSpeakerErrorSpec(errors: readonly SpeakerErrors[], threshold: number, { rates = false, top = 30, title, width = 420 }: PerSpeakerErrorOptions = {}): TopLevelSpec {
  const shown = errors.slice(0, top);
  const rows: SpeakerErrorRow[] = shown.flatMap((e) => [
    { speaker: e.speaker, kind: "miss" as const, count: e.misses, trials: e.targets, rate: e.targets > 0 ? e.misses / e.targets : 0 },
    { speaker: e.speaker, kind: "false alarm" as const, count: e.falseAlarms, trials: e.nontargets, rate: e.nontargets > 0 ? e.falseAlarms / e.nontargets : 0 },
  ]);
  const measure = rates ? "rate" : "count";
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: title ?? `Errors per enrolled speaker at threshold ${threshold.toPrecision(4)} (top ${shown.length} of ${errors.length})`,
    width,
    height: { step: 14 },
    datasets: { speakers: rows },
    data: { name: "speakers" },
    mark: { type: "bar" },
    encoding: {
      y: { field: "speaker", type: "nominal", sort: shown.map((e) => e.speaker), axis: { title: "Enrolled speaker", labelLimit: 160 } },
      yOffset: { field: "kind", sort: ["miss", "false alarm"] },
      x: { field: measure, type: "quantitative", axis: { title: rates ? "Error rate" : "Errors", ...(rates ? { format: "%" } : { tickMinStep: 1 }) } },
      color: { field: "kind", type: "nominal", title: null, sort: ["miss", "false alarm"], scale: { range: ["#d62728", "#ff7f0e"] }, legend: { orient: "bottom" } },
      tooltip: [{ field: "speaker" }, { field: "kind" }, { field: "count" }, { field: "trials" }, { field: "rate", format: ".2%" }],
    },
  };
}
