// `voxlab compare <run-dir>...`: several runs' DET curves on one figure and their metrics side by side.
import { existsSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { z } from "zod";
import { zod } from "../core/lazy-modules.ts";
import { VoxlabError } from "../core/errors.ts";
import { ensureDir, readJson, readText, writeFileAtomic } from "../core/fs.ts";
import { COMPARE_COLUMNS, detCurve, formatMetricNumber, groupTrials } from "../metrics/index.ts";
import { readScoresCsv, type ScoresTable } from "../scoring/scores-csv.ts";
import { detPlotSpec, renderPng, renderSvg, type CurveInput } from "../plots/index.ts";
import { conditionSections, escapeHtml, type ConditionSystem } from "../reports/index.ts";
import { scanDataset, type DatasetManifest } from "../datasets/manifest.ts";
import { loadEnrollMap } from "../datasets/trial-lists.ts";
import { describeTrials } from "./trial-info.ts";
import { parseExperimentConfig, validateWith, type ExperimentConfig } from "./config.ts";
import { pairedComparisons, pairedHtml, pairedMarkdown, type PairedComparison } from "./paired.ts";
import { PARTIAL_SUFFIX, PROVENANCE_FILE, RESOLVED_CONFIG_FILE, utcStamp } from "./run.ts";

/** The files a finished run folder holds (what `runExperiment` writes last, and what compare reads). */
const RUN_FILES = [RESOLVED_CONFIG_FILE, PROVENANCE_FILE, "metrics.json", "scores.csv"] as const;

/** The metrics.json values the comparison shows; other keys (intervals, run info) may follow. */
function buildRunMetricsSchema() {
  const z = zod();
  return z.looseObject({
    n_target: z.int().min(0),
    n_nontarget: z.int().min(0),
    eer: z.number(),
    eer_rocch: z.number(),
    "min_dcf_p0.01": z.number(),
    "min_dcf_p0.05": z.number(),
    cllr: z.number(),
    min_cllr: z.number(),
  });
}

let runMetricsSchema: ReturnType<typeof buildRunMetricsSchema> | undefined;

export type RunMetrics = z.infer<ReturnType<typeof buildRunMetricsSchema>>;

export interface ComparedRun {
  dir: string;
  /** `<experiment>/<run-id>`: the table row's name. */
  name: string;
  /** The experiment's name (config name). */
  experiment: string;
  config: ExperimentConfig;
  metrics: RunMetrics;
  scores: ScoresTable;
}

/** Reads a finished run folder; anything else (missing, `.partial`, incomplete) is a one-line error. */
export async function readRun(dir: string): Promise<ComparedRun> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new VoxlabError(`${dir}: not a run folder (no such directory)`);
  if (resolve(dir).endsWith(PARTIAL_SUFFIX)) throw new VoxlabError(`${dir}: an unfinished run (killed or still running), not a complete run`);
  const missing = RUN_FILES.filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) throw new VoxlabError(`${dir}: not a complete run (no ${missing.join(", ")})`);

  const configFile = join(dir, RESOLVED_CONFIG_FILE);
  const config = parseExperimentConfig(await readText(configFile), configFile);
  const metricsFile = join(dir, "metrics.json");
  runMetricsSchema ??= buildRunMetricsSchema();
  const metrics = validateWith(runMetricsSchema, await readJson(metricsFile), metricsFile);
  const scores = await readScoresCsv(join(dir, "scores.csv"));
  const experiment = config.name ?? "experiment";
  return { dir, name: `${experiment}/${basename(resolve(dir))}`, experiment, config, metrics, scores };
}

function scoringLabel(config: ExperimentConfig): string {
  const norm = config.scoring?.norm ?? "none";
  if (norm === "none") return "cosine";
  return norm === "as-norm" ? `as-norm (top ${config.scoring?.topK ?? "?"})` : norm;
}

const TABLE_HEADER = ["run", "scoring", "trials", ...COMPARE_COLUMNS.map((m) => m.column)];

/** One table row per run, as text cells under TABLE_HEADER. */
function tableRows(runs: readonly ComparedRun[]): string[][] {
  return runs.map(({ name, config, metrics: m }) => [
    name,
    scoringLabel(config),
    String(m.n_target + m.n_nontarget),
    ...COMPARE_COLUMNS.map((metric) => formatMetricNumber(metric.unit, m[metric.key])),
  ]);
}

/** The side-by-side metrics as a markdown table (EER columns in %). */
export function compareTable(runs: readonly ComparedRun[]): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|");
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(" | ")} |\n`;
  return line(TABLE_HEADER) + line(TABLE_HEADER.map((_, i) => (i < 2 ? "---" : "---:"))) + tableRows(runs).map(line).join("");
}

/**
 * Each run's DET curve (from its scores.csv), marked with the EER its metrics.json reports. A curve is
 * named by its experiment alone where no other run shares it (legends have little room), else in full.
 */
export function compareCurves(runs: readonly ComparedRun[]): CurveInput[] {
  const labels = shortNames(runs);
  return runs.map((run, i) => {
    const { pfa, pmiss } = detCurve(groupTrials(run.scores.scores, run.scores.labels, join(run.dir, "scores.csv")));
    return { name: labels[i], pfa, pmiss, eer: run.metrics.eer };
  });
}

/** Each run's experiment name where no other run shares it, else its full name. */
function shortNames(runs: readonly ComparedRun[]): string[] {
  return runs.map((run) => (runs.filter((r) => r.experiment === run.experiment).length > 1 ? run.name : run.experiment));
}

/** A self-contained page: the metrics table and the overlaid DET curves (inline SVG, no script, no network). */
export function compareHtml(runs: readonly ComparedRun[], detSvg: string, paired: readonly PairedComparison[] = [], conditions = ""): string {
  const tr = (cells: string[], tag: "th" | "td") => `<tr>${cells.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join("")}</tr>`;
  const sources = runs.map((r) => `<li><code>${escapeHtml(resolve(r.dir))}</code></li>`).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>VoxLab comparison</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 4px 10px; }
td:nth-child(n+3) { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f3f3f3; }
.paired td:nth-child(2), .paired td:last-child { text-align: left; }
figure { margin: 1em 0; } figcaption { color: #555; font-size: 0.9em; } svg { max-width: 100%; height: auto; }
</style>
</head>
<body>
<h1>VoxLab comparison of ${runs.length} runs</h1>
<table>
<thead>${tr(TABLE_HEADER, "th")}</thead>
<tbody>
${tableRows(runs).map((cells) => tr(cells, "td")).join("\n")}
</tbody>
</table>
${pairedHtml(paired)}
<h2>DET curves</h2>
<figure>${detSvg}</figure>
${conditions}
<h2>Runs</h2>
<ul>
${sources}
</ul>
</body>
</html>
`;
}

export interface Comparison {
  runs: ComparedRun[];
  /** The markdown table. */
  table: string;
  /** Each run against the first: paired differences with speaker-bootstrap intervals, or why they do not apply. */
  paired: PairedComparison[];
  /** The paired differences as markdown (empty for a single run). */
  pairedTable: string;
  files: { html: string; svg: string; png: string };
}

/**
 * Each run's trials described for the condition breakdowns: durations from its dataset's manifest when
 * the dataset is still there (each dataset scanned once), speakers and sessions from the paths otherwise.
 */
async function conditionSystems(runs: readonly ComparedRun[], labels: readonly string[], progress?: CompareOptions["onProgress"]): Promise<ConditionSystem[]> {
  const manifests = new Map<string, DatasetManifest | undefined>();
  const systems: ConditionSystem[] = [];
  for (const [i, run] of runs.entries()) {
    const root = run.config.dataset;
    if (!manifests.has(root)) {
      // A dataset that moved or no longer scans only costs the duration breakdowns.
      const scan = existsSync(root) ? scanDataset(root, { onProgress: (done, total) => progress?.("scanning dataset", done, total) }).catch(() => undefined) : undefined;
      manifests.set(root, await scan);
    }
    systems.push(await describeRun(run, labels[i], manifests.get(root)));
  }
  return systems;
}

async function describeRun(run: ComparedRun, label: string, manifest: DatasetManifest | undefined): Promise<ConditionSystem> {
  const { enroll, test } = run.scores.trials ?? { enroll: [], test: [] };
  const enrollMap = run.config.enrollMap && existsSync(run.config.enrollMap) ? await loadEnrollMap(run.config.enrollMap).catch(() => undefined) : undefined;
  const trials = describeTrials(enroll.map((e, k) => ({ enroll: e, test: test[k] })), { manifest, enrollMap });
  return { name: label, scores: run.scores.scores, labels: run.scores.labels, trials };
}

export interface CompareOptions {
  /** Speaker-bootstrap resamples of the paired differences (default 1000). */
  bootstrapIterations?: number;
  /** Long steps report here: a stage name, units done and the total. */
  onProgress?: (stage: string, done: number, total: number) => void;
}

/** Where a comparison goes by default: results/compare/<UTC timestamp>. */
export function defaultCompareDir(now = new Date()): string {
  return join("results", "compare", utcStamp(now));
}

/** Reads the runs, writes `compare.html` and `det-compare.{svg,png}` into `outDir`, and returns the tables. */
export async function compareRuns(dirs: readonly string[], outDir = defaultCompareDir(), options: CompareOptions = {}): Promise<Comparison> {
  if (dirs.length === 0) throw new VoxlabError("compare needs at least one run folder");
  const seen = new Set<string>();
  for (const dir of dirs) {
    if (seen.has(resolve(dir))) throw new VoxlabError(`${dir}: given twice`);
    seen.add(resolve(dir));
  }
  const runs = await Promise.all(dirs.map(readRun));
  // Copies of one run in two results folders share a name; their paths tell them apart.
  const names = runs.map((r) => r.name);
  for (const run of runs) if (names.filter((n) => n === run.name).length > 1) run.name = resolve(run.dir);

  const labels = shortNames(runs);
  const paired = pairedComparisons(runs.map((run, i) => ({ label: labels[i], scores: run.scores })), {
    iterations: options.bootstrapIterations,
    onProgress: options.onProgress && ((pair, pairs, done, total) => options.onProgress?.(`paired bootstrap ${pair} of ${pairs}`, done, total)),
  });
  const svg = await renderSvg(detPlotSpec(compareCurves(runs), { title: "DET curves" }));
  const conditions = runs.every((r) => r.scores.trials !== undefined) ? await conditionSections(await conditionSystems(runs, labels, options.onProgress), escapeHtml) : { html: "" };
  await ensureDir(outDir, "output folder");
  const files = { html: join(outDir, "compare.html"), svg: join(outDir, "det-compare.svg"), png: join(outDir, "det-compare.png") };
  await writeFileAtomic(files.svg, svg);
  await writeFileAtomic(files.png, await renderPng(svg, 2));
  await writeFileAtomic(files.html, compareHtml(runs, svg, paired, conditions.html));
  return { runs, table: compareTable(runs), paired, pairedTable: pairedMarkdown(paired), files };
}
