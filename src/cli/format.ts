// How the commands print results: every table and summary line of the CLI's standard output.
import {
  calibratedJson,
  formatMetricValue,
  METRIC_CATALOGUE,
  type CalibratedMetrics,
  type Calibration,
  type Comparison,
  type DemoDatasetSummary,
  type EvaluationResult,
  type ExperimentRun,
  type FeatureMatrix,
  type FetchModelResult,
  type FrontendName,
  type ImportResult,
  type MetricDefinition,
  type QuantizeResult,
  type VerificationMetrics,
} from "../index.ts";

function thresholdText(t: number): string {
  return Number.isFinite(t) ? `at threshold ${Number(t.toPrecision(6))}` : "rejecting all trials";
}

/** A metric's value with its unit, its threshold and how to read it, as one row of the text table. */
function rowValue(definition: MetricDefinition, value: number, m: VerificationMetrics, calibrated: CalibratedMetrics | undefined): string {
  let text = formatMetricValue(definition.unit, value) + (definition.unit === "bits" ? " bits" : "");
  if (definition.from === "scores" && definition.threshold !== undefined) text += ` ${thresholdText(m[definition.threshold])}`;
  const note = definition.key === "cllr_calibrated" && calibrated ? `calibration loss ${calibrated.calibration_loss.toFixed(4)} bits over minCllr` : definition.note;
  return note === undefined ? text : `${text} (${note})`;
}

/** The human-readable table: one metric per line; with the metrics of the calibrated scores when given. */
export function formatMetricsTable(m: VerificationMetrics, calibrated?: CalibratedMetrics): string {
  const rows: [string, string][] = [["trials", `${m.n_target + m.n_nontarget} (${m.n_target} target, ${m.n_nontarget} non-target)`]];
  for (const definition of METRIC_CATALOGUE) {
    const value = definition.from === "scores" ? m[definition.key] : calibrated?.[definition.key];
    if ("cliLabel" in definition && value !== undefined) rows.push([definition.cliLabel, rowValue(definition, value, m, calibrated)]);
  }
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}\n`).join("");
}

/** `--json`: the metrics under their METRICS.md keys (a reject-all threshold, +Infinity, is written as null). */
export function formatMetricsJson(m: VerificationMetrics, calibrated?: CalibratedMetrics): string {
  return `${JSON.stringify({ ...m, ...(calibrated === undefined ? {} : calibratedJson(calibrated)) }, null, 1)}\n`;
}

/** After an evaluation: its metrics, the files it skipped, the embeddings it computed and the files it wrote. */
export function formatEvaluation(result: EvaluationResult): string {
  let text = formatMetricsTable(result.metrics, result.calibrated?.metrics);
  if (result.skipped.files.length > 0) {
    text += `skipped ${result.skipped.files.length} unreadable files (${result.skipped.trials} trials dropped):\n`;
    for (const bad of result.skipped.files) text += `  ${bad.reason}\n`;
  }
  return (
    text +
    `embeddings: ${result.embeddings.computed} computed, ${result.embeddings.cached} from the cache\n` +
    `wrote ${result.files.metrics}, ${result.files.scores}${result.files.calibratedScores ? `, ${result.files.calibratedScores}` : ""}, ${result.files.report} and ${result.files.figures.length} figure files\n`
  );
}

/** After `voxlab run`: its metrics, the embeddings it computed and where the run went. */
export function formatExperimentRun(run: ExperimentRun): string {
  return (
    formatMetricsTable(run.metrics, run.calibrated) +
    `embeddings: ${run.embeddings.computed} computed, ${run.embeddings.cached} from the cache\n` +
    `run ${run.runId} written to ${run.runDir}\n`
  );
}

/** After `voxlab compare`: the metrics table, the paired differences and the files written. */
export function formatComparison(comparison: Comparison): string {
  return `${comparison.table}${comparison.pairedTable}wrote ${comparison.files.html}, ${comparison.files.svg} and ${comparison.files.png}\n`;
}

/** After `voxlab calibrate`: the trained mapping and where it went. */
export function formatCalibration(calibration: Calibration, out: string): string {
  const qmf = calibration.qmf ? `, ln(enroll s) × ${calibration.qmf.log_enroll_seconds.toPrecision(6)}, ln(test s) × ${calibration.qmf.log_test_seconds.toPrecision(6)}` : "";
  return (
    `llr = ${calibration.scale.toPrecision(6)} · score + ${calibration.offset.toPrecision(6)}${qmf} (prior ${calibration.prior}; ` +
    `${calibration.training.n_target} target, ${calibration.training.n_nontarget} non-target trials)\nwrote ${out}\n`
  );
}

/** After `voxlab data demo`, which took `seconds`. */
export function formatDemoDataset(summary: DemoDatasetSummary, seconds: number): string {
  const reused = summary.utterances - summary.written;
  return (
    `wrote ${summary.outDir}: ${summary.speakers} speakers, ${summary.sessions} sessions, ${summary.utterances} utterances ` +
    `(${(summary.totalSeconds / 60).toFixed(1)} min of audio${reused > 0 ? `, ${reused} already there` : ""}), ` +
    `${summary.trials} trials (${summary.targetTrials} target) in ${summary.trialsPath} ` +
    `(${seconds.toFixed(1)} s)\n`
  );
}

/** After `voxlab features`. */
export function formatFeatures(out: string, features: FeatureMatrix, frontend: FrontendName, meanNorm: boolean): string {
  return `${out}: [${features.frames},${features.bins}] float32, ${frontend}${meanNorm ? " + mean norm" : ", no CMN"}\n`;
}

const mib = (n: number): string => (n / 2 ** 20).toFixed(1);

/** After `voxlab model import`, which took `seconds`. */
export function formatModelImport(result: ImportResult, seconds: number): string {
  const { ecapa } = result.hyperparams;
  return (
    `wrote ${result.outPath}: ECAPA-TDNN channels [${ecapa.channels.join(",")}], ${(result.parameterCount / 1e6).toFixed(2)} M parameters, ` +
    `${ecapa.linNeurons}-d embeddings (${mib(result.bytes)} MiB, ${seconds.toFixed(1)} s)\n`
  );
}

/** After `voxlab model quantize`, which took `seconds`. */
export function formatQuantization(result: QuantizeResult, seconds: number): string {
  return (
    `wrote ${result.outPath}: ${result.quantized} convolutions int8, ${result.keptFloat} kept float32, calibrated on ${result.calibrationUtterances} utterances ` +
    `(${mib(result.inBytes)} -> ${mib(result.outBytes)} MiB, ${seconds.toFixed(1)} s)\n`
  );
}

const SERVED_BY = { "hf-cache": "the Hugging Face cache", "voxlab-cache": "VoxLab's cache", hub: "the Hub" } as const;

/** After `voxlab model fetch`: where the files came from (for stderr) and what was written (for stdout). */
export function formatModelFetch(repoId: string, revision: string, result: FetchModelResult): { source: string; written: string } {
  const { commit } = result.fetched.manifest;
  const at = commit === undefined || commit === revision ? revision : `${revision} = ${commit}`;
  const kind = result.sidecar === undefined ? "imported SpeechBrain ECAPA-TDNN" : `${result.family} model + ${result.sidecar}`;
  return {
    source: `${repoId}@${at}: files from ${SERVED_BY[result.fetched.servedBy]} (${result.fetched.dir})\n`,
    written: `wrote ${result.outPath} (${kind}, ${result.embeddingDim}-d; from ${repoId}@${at})\n`,
  };
}
