import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { detCurve, groupTrials, type BootstrapOptions, type Labels, type TrialGroups, type VerificationMetrics } from "../metrics/index.ts";
import { formatMetricValue, metricDefinition } from "../metrics/catalogue.ts";
import { INTERVAL_METRICS, metricIntervals, type MetricIntervals } from "../metrics/intervals.ts";
import {
  bayesErrorSpec,
  detPlotData,
  detPlotSpec,
  perSpeakerErrorSpec,
  renderSvg,
  rocSpec,
  scoreDistributionData,
  scoreDistributionSpec,
  speakerErrors,
  thresholdSweepData,
  thresholdSweepSpec,
  type NamedThreshold,
} from "../plots/index.ts";
import { calibrationSection, transferTable } from "./calibration-html.ts";
import { escapeHtml } from "./escape.ts";
import type { ReportCalibration } from "./calibration.ts";
import { conditionSections, type TrialConditions } from "./conditions.ts";
import { plotlyDet, plotlyScoreDistribution, plotlyThresholdSweep, type PlotlyFigure } from "./interactive.ts";
import { thresholdTable, type ThresholdRow } from "../metrics/thresholds.ts";

/** One trial as the report names it (aligned with `scores`); the optional facts feed the condition breakdowns. */
export interface ReportTrial extends TrialConditions {
  enroll: string;
  test: string;
  testSpeaker?: string;
  /** Each side's audio file as a path relative to the report's folder (POSIX separators), for a player. */
  enrollAudio?: string;
  testAudio?: string;
}

export interface ReportInput {
  title: string;
  scores: ArrayLike<number>;
  labels: Labels;
  /** The trials behind the scores, same order: names the hardest trials; speakers give per-speaker errors. */
  trials?: readonly ReportTrial[];
  /** `computeMetrics(scores, labels)`. */
  metrics: VerificationMetrics;
  /** Run information shown at the top, e.g. { dataset, model, frontend, "scoring": "cosine" }. */
  info?: Readonly<Record<string, string>>;
  /** When the run happened (default now). */
  date?: Date;
  /** Bootstrap intervals already computed; otherwise they are computed here with `bootstrap`. */
  intervals?: MetricIntervals;
  /** Bootstrap settings, or false for a report without intervals. */
  bootstrap?: BootstrapOptions | false;
  farTargets?: readonly number[];
  frrTargets?: readonly number[];
  /** Inline plotly.js (about 4.8 MB) for zoomable figures (default true); false: static SVG only. */
  interactive?: boolean;
  /** A calibration applied to the scores: adds the calibration section, the Bayes error-rate plot and dev-threshold costs. */
  calibration?: ReportCalibration;
}

/** A figure of the report, rendered. */
export interface ReportFigure {
  /** File-name stem, e.g. "det". */
  name: string;
  caption: string;
  svg: string;
  interactive?: PlotlyFigure;
}

export interface BuiltReport {
  html: string;
  figures: ReportFigure[];
  thresholds: ThresholdRow[];
}

export { escapeHtml };

/** JSON safe inside a <script> element: no "<" can close it or open a comment. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

/**
 * Code safe inside a <script> element: "</script" would end it and "<!--" change how it is parsed.
 * Both occur only inside string or regex literals in minified code, where \x3C means the same "<".
 */
function scriptCode(code: string): string {
  return code.replace(/<(\/script|!--)/gi, "\\x3C$1");
}

let plotlyCode: Promise<string> | undefined;

function loadPlotly(): Promise<string> {
  const path = createRequire(import.meta.url).resolve("plotly.js-dist-min");
  plotlyCode ??= readFile(path, "utf8").then(scriptCode);
  return plotlyCode;
}

const formatThreshold = (t: number): string => (t === Infinity ? "+∞ (reject all)" : t.toPrecision(6));
const formatRate = (rate: number): string => `${(rate * 100).toFixed(3)} %`;

function metricsTable(metrics: VerificationMetrics, intervals: MetricIntervals): string {
  const anyInterval = Object.keys(intervals).length > 0;
  const confidence = Object.values(intervals)[0]?.confidence;
  const rows = INTERVAL_METRICS.map((key) => {
    const { label, unit } = metricDefinition(key);
    const ci = intervals[key];
    const interval = ci === undefined ? "" : `[${formatMetricValue(unit, ci.lower)}, ${formatMetricValue(unit, ci.upper)}]`;
    return `<tr><th scope="row">${escapeHtml(label)}</th><td>${formatMetricValue(unit, metrics[key])}</td>${anyInterval ? `<td>${interval}</td>` : ""}</tr>`;
  });
  const ciHead = anyInterval ? `<th>${Math.round((confidence ?? 0.95) * 100)} % bootstrap CI</th>` : "";
  return `<table class="metrics"><thead><tr><th>Metric</th><th>Value</th>${ciHead}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function thresholdsTable(rows: readonly ThresholdRow[]): string {
  const body = rows.map((r) => {
    const warning = r.warning === undefined ? "" : `<div class="warning">⚠ ${escapeHtml(r.warning)}</div>`;
    const c = r.counts;
    return `<tr${r.warning === undefined ? "" : ' class="warned"'}><th scope="row">${escapeHtml(r.name)}${warning}</th><td>${escapeHtml(formatThreshold(r.threshold))}</td>` +
      `<td>${c.tp}</td><td>${c.fn}</td><td>${c.fp}</td><td>${c.tn}</td><td>${formatRate(r.far)}</td><td>${formatRate(r.frr)}</td></tr>`;
  });
  return `<table class="thresholds"><thead><tr><th>Operating point</th><th>Threshold (accept ≥)</th><th>TP</th><th>FN (miss)</th><th>FP (false accept)</th><th>TN</th><th>FAR</th><th>FRR</th></tr></thead><tbody>${body.join("")}</tbody></table>`;
}

/**
 * An audio player for a file given relative to the report's folder: each path segment is URL-encoded
 * (so "#", "?", "%" and spaces stay part of the name) and the URL HTML-escaped. preload="none": the
 * page loads no audio until a player is started.
 */
export function audioPlayer(relativePath: string): string {
  const url = relativePath.split("/").map(encodeURIComponent).join("/");
  return `<br><audio controls preload="none" src="${escapeHtml(url)}"></audio>`;
}

/** The non-targets scoring highest and the targets scoring lowest: where the system is most wrong. */
function hardestTrials(scores: ArrayLike<number>, labels: Labels, trials: readonly ReportTrial[], count = 10): string {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  const isTarget = (i: number) => labels[i] === 1 || labels[i] === true;
  const nontargets = order.filter((i) => !isTarget(i)).slice(-count).reverse();
  const targets = order.filter(isTarget).slice(0, count);
  const side = (name: string, audio: string | undefined) => `<td>${escapeHtml(name)}${audio === undefined ? "" : audioPlayer(audio)}</td>`;
  const table = (caption: string, indices: number[]) =>
    `<table class="trials"><caption>${escapeHtml(caption)}</caption><thead><tr><th>Score</th><th>Enroll</th><th>Test</th></tr></thead><tbody>` +
    indices.map((i) => `<tr><td>${scores[i].toPrecision(5)}</td>${side(trials[i].enroll, trials[i].enrollAudio)}${side(trials[i].test, trials[i].testAudio)}</tr>`).join("") +
    "</tbody></table>";
  return table("Highest-scoring non-target trials", nontargets) + table("Lowest-scoring target trials", targets);
}

async function buildFigures(input: ReportInput, groups: TrialGroups, rows: readonly ThresholdRow[]): Promise<ReportFigure[]> {
  const { scores, labels, metrics, trials } = input;
  const curves = [{ name: input.title, ...detCurve(groups) }];
  const thresholds: NamedThreshold[] = [
    { name: "EER", value: rows[0].threshold },
    { name: "minDCF 0.01", value: metrics["min_dcf_p0.01_threshold"] },
    { name: "minDCF 0.05", value: metrics["min_dcf_p0.05_threshold"] },
  ].filter((t) => Number.isFinite(t.value));
  const figures: ReportFigure[] = [
    { name: "det", caption: "DET curve (normal-deviate axes); the diamond marks the EER.", svg: await renderSvg(detPlotSpec(curves)), interactive: plotlyDet(detPlotData(curves)) },
    {
      name: "scores",
      caption: "Score distributions of target and non-target trials, with the EER and minDCF thresholds.",
      svg: await renderSvg(scoreDistributionSpec(scores, labels, { thresholds })),
      interactive: plotlyScoreDistribution(scoreDistributionData(scores, labels), thresholds),
    },
    {
      name: "threshold-sweep",
      caption: "Miss rate, false-alarm rate and normalised DCF against the threshold.",
      svg: await renderSvg(thresholdSweepSpec(scores, labels)),
      interactive: plotlyThresholdSweep(thresholdSweepData(scores, labels)),
    },
    { name: "roc", caption: "ROC curve.", svg: await renderSvg(rocSpec(curves)) },
  ];
  if (input.calibration) {
    // A linear calibration is monotone: the raw scores' minimum curve would lie under the calibrated one.
    const monotone = input.calibration.calibration.qmf === undefined;
    figures.push({
      name: "bayes-error",
      caption:
        "Normalised Bayes error rates against the prior log-odds: actual DCF of the Bayes decisions (solid) for the raw scores taken as LLRs and for the calibrated scores, " +
        `and the minimum DCF (dashed${monotone ? "; the same for both, calibration being monotone" : ""}); the default detector (accept or reject all) costs 1.`,
      svg: await renderSvg(bayesErrorSpec([{ name: "raw scores", scores, labels, minimum: !monotone }, { name: "calibrated", scores: input.calibration.llrs, labels }])),
    });
  }
  const speakers = trials?.map((t) => t.enrollSpeaker);
  if (speakers !== undefined && speakers.every((s): s is string => s !== undefined)) {
    const threshold = rows[0].threshold;
    figures.push({
      name: "speakers",
      caption: "Errors per enrolled speaker at the EER threshold.",
      svg: await renderSvg(perSpeakerErrorSpec(speakerErrors(scores, labels, speakers, threshold), threshold)),
    });
  }
  return figures;
}

function figureHtml(figure: ReportFigure, index: number, interactive: boolean): string {
  // The static SVG stays in the div until plotly replaces it, so a failed script still shows the figure.
  const plot = interactive && figure.interactive !== undefined ? ` class="plotly" data-figure="${index}"` : "";
  return `<figure id="fig-${escapeHtml(figure.name)}"><div${plot}>${figure.svg}</div><figcaption>${escapeHtml(figure.caption)}</figcaption></figure>`;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:0.5em 0 1.5em}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
th[scope=row],caption,.info th{text-align:left}tr.warned{background:#fff6e0}.warning{color:#a15c00;font-weight:normal;font-size:0.85em}
figure{margin:1em 0}figcaption{color:#555;font-size:0.9em}.plotly{min-height:420px}svg{max-width:100%;height:auto}
.trials{display:inline-table;margin-right:2em;vertical-align:top}.trials td{text-align:left}.trials audio{height:2em;max-width:260px}`;

const PLOTLY_INIT = `(function(){var figures=JSON.parse(document.getElementById("voxlab-figures").textContent);
document.querySelectorAll("div.plotly").forEach(function(div){var f=figures[Number(div.dataset.figure)];
div.replaceChildren();Plotly.newPlot(div,f.data,f.layout,{displaylogo:false,responsive:true});});})();`;

/** Builds the report: the HTML page and the figures it shows (for writing beside it). */
export async function buildReport(input: ReportInput): Promise<BuiltReport> {
  const { scores, labels, metrics, interactive = true } = input;
  const groups = groupTrials(scores, labels, input.title);
  const intervals = input.intervals ?? (input.bootstrap === false ? {} : metricIntervals(scores, labels, input.bootstrap));
  const rows = thresholdTable(groups, metrics, { farTargets: input.farTargets, frrTargets: input.frrTargets });
  const main = await buildFigures(input, groups, rows);
  const conditions = input.trials === undefined ? { html: "", figures: [] } : await conditionSections([{ name: input.title, scores, labels, trials: input.trials }], escapeHtml);
  // Figures of the condition breakdowns come last, so the main figures keep their plotly indices.
  const figures: ReportFigure[] = [...main, ...conditions.figures];

  const info: [string, string][] = [
    ...Object.entries(input.info ?? {}),
    [metricDefinition("n_target").label, String(metrics.n_target)],
    [metricDefinition("n_nontarget").label, String(metrics.n_nontarget)],
    ["Date", (input.date ?? new Date()).toISOString()],
  ];
  const infoTable = `<table class="info"><tbody>${info.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join("")}</tbody></table>`;
  const scripts = interactive
    ? `<script type="application/json" id="voxlab-figures">${scriptJson(figures.map((f) => f.interactive ?? null))}</script>\n<script>${await loadPlotly()}</script>\n<script>${PLOTLY_INIT}</script>`
    : "";
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(input.title)}</title><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(input.title)}</h1>
<section id="run">${infoTable}</section>
<section id="metrics"><h2>Metrics</h2>${metricsTable(metrics, intervals)}</section>
${input.calibration ? calibrationSection(input.calibration, groups, labels) : ""}
<section id="figures"><h2>Figures</h2>${main.map((f, i) => figureHtml(f, i, interactive)).join("\n")}</section>
${conditions.html}
<section id="thresholds"><h2>Threshold tuning</h2>
<p>Accept a trial when its score ≥ the threshold. Counts and rates are measured on these trials; a warning marks a rate that needs more trials
(Doddington's rule of 30: at least 30 errors, i.e. non-target trials × FAR ≥ 30 and target trials × FRR ≥ 30).</p>
${thresholdsTable(rows)}${input.calibration ? transferTable(input.calibration, groups, labels) : ""}</section>
${input.trials === undefined ? "" : `<section id="trials"><h2>Hardest trials</h2>${hardestTrials(scores, labels, input.trials)}</section>`}
${scripts}
</body></html>
`;
  return { html, figures, thresholds: rows };
}

/** The report as one self-contained HTML page: inline SVG figures, inline plotly.js, no network loads. */
export async function renderReportHtml(input: ReportInput): Promise<string> {
  return (await buildReport(input)).html;
}
