// Per-condition breakdowns: EER and minDCF by duration bin, session match and enrolled speaker, with DETs.
import { eerFromPoints, groupTrials, minDcfFromPoints, operatingPoints, type Labels } from "../metrics/index.ts";
import { detPlotSpec, renderSvg, type CurveInput } from "../plots/index.ts";

/** What the breakdowns need to know of a trial (fields of ReportTrial; absent = unknown). */
export interface TrialConditions {
  enrollSpeaker?: string;
  enrollSession?: string;
  testSession?: string;
  /** Seconds of audio on each side. */
  enrollDuration?: number;
  testDuration?: number;
}

/** A subset of the trials, by index. */
export interface Condition {
  name: string;
  trials: number[];
}

export interface Breakdown {
  id: string;
  title: string;
  /** How trials are assigned, in a sentence. */
  note: string;
  conditions: Condition[];
}

/** Duration bins in seconds: < 2 s, 2–5 s (both ends included), > 5 s. */
export const DURATION_BINS = [
  { name: "< 2 s", contains: (d: number) => d < 2 },
  { name: "2–5 s", contains: (d: number) => d >= 2 && d <= 5 },
  { name: "> 5 s", contains: (d: number) => d > 5 },
] as const;

/** Speakers listed in the per-speaker table (the highest EERs first) and drawn on its DET. */
const SPEAKER_ROWS = 50;
const SPEAKER_CURVES = 5;

const isTarget = (labels: Labels, i: number): boolean => labels[i] === 1 || labels[i] === true;

function byKey(count: number, key: (i: number) => string | undefined, order?: readonly string[]): Condition[] {
  const groups = new Map<string, number[]>(order?.map((name) => [name, []]));
  for (let i = 0; i < count; i++) {
    const k = key(i);
    if (k === undefined) continue;
    const list = groups.get(k);
    if (list === undefined) groups.set(k, [i]);
    else list.push(i);
  }
  return [...groups].filter(([, trials]) => trials.length > 0).map(([name, trials]) => ({ name, trials }));
}

function durationBin(seconds: number | undefined): string | undefined {
  return seconds === undefined ? undefined : DURATION_BINS.find((bin) => bin.contains(seconds))?.name;
}

/**
 * The breakdowns the trials' descriptions allow: by enrollment and by test duration bin, by same or
 * different session (targets split; every non-target in both rows, since two speakers never share a
 * session folder), and by enrolled speaker. A breakdown no trial can be placed in is left out.
 */
export function conditionBreakdowns(trials: readonly TrialConditions[], labels: Labels): Breakdown[] {
  const n = trials.length;
  const binNames = DURATION_BINS.map((b) => b.name);
  const sessionMatch = (i: number): string | undefined => {
    const { enrollSession: e, testSession: t } = trials[i];
    return e === undefined || t === undefined ? undefined : e === t ? "same session" : "different sessions";
  };
  const sessionConditions = byKey(n, (i) => (isTarget(labels, i) ? sessionMatch(i) : undefined), ["same session", "different sessions"]);
  const nontargets = Array.from({ length: n }, (_, i) => i).filter((i) => !isTarget(labels, i));
  const breakdowns: Breakdown[] = [
    {
      id: "enroll-duration",
      title: "Enrollment duration",
      note: "Trials by the seconds of enrollment audio (< 2 s, 2–5 s, > 5 s).",
      conditions: byKey(n, (i) => durationBin(trials[i].enrollDuration), binNames),
    },
    {
      id: "test-duration",
      title: "Test duration",
      note: "Trials by the seconds of test audio (< 2 s, 2–5 s, > 5 s).",
      conditions: byKey(n, (i) => durationBin(trials[i].testDuration), binNames),
    },
    {
      id: "session",
      title: "Same or different session",
      note: "Target trials by whether enrollment and test come from the same session; every non-target trial counts in both rows.",
      conditions: sessionConditions.map((c) => ({ name: c.name, trials: [...c.trials, ...nontargets].sort((a, b) => a - b) })),
    },
    {
      id: "speaker",
      title: "Enrolled speaker",
      note: "Trials by the speaker of the enrollment side.",
      conditions: byKey(n, (i) => trials[i].enrollSpeaker).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    },
  ];
  return breakdowns.filter((b) => b.conditions.length > 0);
}

/** The metrics of one condition; EER and minDCF only where it holds both target and non-target trials. */
export interface ConditionMetrics {
  targets: number;
  nontargets: number;
  eer?: number;
  "min_dcf_p0.01"?: number;
  "min_dcf_p0.05"?: number;
  det?: CurveInput;
}

export function conditionMetrics(scores: ArrayLike<number>, labels: Labels, trials: readonly number[], curveName: string): ConditionMetrics {
  const targets = trials.filter((i) => isTarget(labels, i)).length;
  const counts = { targets, nontargets: trials.length - targets };
  if (counts.targets === 0 || counts.nontargets === 0) return counts;
  const groups = groupTrials(
    trials.map((i) => scores[i]),
    trials.map((i) => (isTarget(labels, i) ? 1 : 0)),
  );
  const points = operatingPoints(groups);
  const eer = eerFromPoints(points);
  return {
    ...counts,
    eer,
    "min_dcf_p0.01": minDcfFromPoints(points, { pTarget: 0.01 }).value,
    "min_dcf_p0.05": minDcfFromPoints(points, { pTarget: 0.05 }).value,
    det: { name: curveName, pfa: points.pfa, pmiss: points.pmiss, eer },
  };
}

/** One system's scores on its trials, as the breakdown tables take it. */
export interface ConditionSystem {
  name: string;
  scores: ArrayLike<number>;
  labels: Labels;
  trials: readonly TrialConditions[];
}

/** A rendered DET figure of a breakdown. */
export interface ConditionFigure {
  name: string;
  caption: string;
  svg: string;
}

export interface ConditionSections {
  html: string;
  figures: ConditionFigure[];
}

type Escape = (text: string) => string;

const percent = (rate: number | undefined): string => (rate === undefined ? "—" : `${(100 * rate).toFixed(2)} %`);
const fixed = (value: number | undefined): string => (value === undefined ? "—" : value.toFixed(4));

/**
 * The breakdowns of one or more systems as HTML tables (one row per condition, a column group per system)
 * and a DET per breakdown with a curve per condition (and system). The speaker table lists the speakers
 * with the highest EER of the first system; its DET shows the worst few.
 */
export async function conditionSections(systems: readonly ConditionSystem[], escape: Escape): Promise<ConditionSections> {
  const perSystem = systems.map((s) => new Map(conditionBreakdowns(s.trials, s.labels).map((b) => [b.id, b])));
  const first = perSystem[0];
  const parts: string[] = [];
  const figures: ConditionFigure[] = [];
  const label = (system: ConditionSystem, condition: string) => (systems.length > 1 ? `${system.name} · ${condition}` : condition);
  for (const breakdown of first?.values() ?? []) {
    let results = systems.map((system, s) => {
      const own = perSystem[s].get(breakdown.id);
      return new Map((own?.conditions ?? []).map((c) => [c.name, conditionMetrics(system.scores, system.labels, c.trials, label(system, c.name))]));
    });
    let names = breakdown.conditions.map((c) => c.name);
    let curves = names;
    let note = breakdown.note;
    if (breakdown.id === "speaker") {
      names = [...names].sort((a, b) => (results[0].get(b)?.eer ?? -1) - (results[0].get(a)?.eer ?? -1));
      curves = names.filter((name) => results[0].get(name)?.det !== undefined).slice(0, SPEAKER_CURVES);
      if (names.length > SPEAKER_ROWS) note += ` The ${SPEAKER_ROWS} speakers with the highest EER of ${names.length} are listed.`;
      names = names.slice(0, SPEAKER_ROWS);
      note += ` The DET shows the ${curves.length} with the highest EER.`;
      results = results.map((r) => new Map([...r].filter(([name]) => names.includes(name))));
    }
    const systemHead = systems.length > 1 ? `<tr><th></th>${systems.map((s) => `<th colspan="5">${escape(s.name)}</th>`).join("")}</tr>` : "";
    const columns = systems.map(() => "<th>Targets</th><th>Non-targets</th><th>EER</th><th>minDCF 0.01</th><th>minDCF 0.05</th>").join("");
    const rows = names.map((name) => {
      const cells = results.map((r) => {
        const m = r.get(name);
        return m === undefined
          ? "<td>0</td><td>0</td><td>—</td><td>—</td><td>—</td>"
          : `<td>${m.targets}</td><td>${m.nontargets}</td><td>${percent(m.eer)}</td><td>${fixed(m["min_dcf_p0.01"])}</td><td>${fixed(m["min_dcf_p0.05"])}</td>`;
      });
      return `<tr><th scope="row">${escape(name)}</th>${cells.join("")}</tr>`;
    });
    const dets = curves.flatMap((name) => results.flatMap((r) => r.get(name)?.det ?? []));
    let figure = "";
    if (dets.length > 0) {
      const fig = { name: `det-${breakdown.id}`, caption: `DET by ${breakdown.title.toLowerCase()}; the diamonds mark the EERs.`, svg: await renderSvg(detPlotSpec(dets)) };
      figures.push(fig);
      figure = `<figure id="fig-${fig.name}">${fig.svg}<figcaption>${escape(fig.caption)}</figcaption></figure>`;
    }
    parts.push(
      `<h3 id="condition-${breakdown.id}">${escape(breakdown.title)}</h3><p>${escape(note)} A dash: the condition lacks target or non-target trials.</p>` +
        `<table class="conditions"><thead>${systemHead}<tr><th>Condition</th>${columns}</tr></thead><tbody>${rows.join("")}</tbody></table>${figure}`,
    );
  }
  if (parts.length === 0) return { html: "", figures };
  return { html: `<section id="conditions"><h2>Conditions</h2>\n${parts.join("\n")}</section>`, figures };
}
