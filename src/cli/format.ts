// How the commands print results: every table and summary line of the CLI's standard output.
import { calibratedJson, formatMetricValue, METRIC_CATALOGUE, type CalibratedMetrics, type MetricDefinition, type VerificationMetrics } from "../index.ts";

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
