import type { Command } from "commander";
import { VoxlabError } from "../../core/errors.ts";
import type { CalibratedMetrics, VerificationMetrics } from "../../metrics/index.ts";

function percent(rate: number): string {
  return `${(100 * rate).toFixed(3)} %`;
}

function threshold(t: number): string {
  return Number.isFinite(t) ? `at threshold ${Number(t.toPrecision(6))}` : "rejecting all trials";
}

/** The human-readable table: one metric per line; with the metrics of the calibrated scores when given. */
export function formatMetricsTable(m: VerificationMetrics, calibrated?: CalibratedMetrics): string {
  const rows: [string, string][] = [
    ["trials", `${m.n_target + m.n_nontarget} (${m.n_target} target, ${m.n_nontarget} non-target)`],
    ["EER", percent(m.eer)],
    ["EER (ROCCH)", percent(m.eer_rocch)],
    ["minDCF p=0.01", `${m["min_dcf_p0.01"].toFixed(4)} ${threshold(m["min_dcf_p0.01_threshold"])}`],
    ["minDCF p=0.05", `${m["min_dcf_p0.05"].toFixed(4)} ${threshold(m["min_dcf_p0.05_threshold"])}`],
    ["Cllr", `${m.cllr.toFixed(4)} bits (scores taken as natural-log LLRs)`],
    ["minCllr", `${m.min_cllr.toFixed(4)} bits`],
  ];
  if (calibrated) {
    rows.push(
      ["actDCF p=0.01", `${calibrated["act_dcf_p0.01"].toFixed(4)} (calibrated scores, Bayes threshold)`],
      ["actDCF p=0.05", `${calibrated["act_dcf_p0.05"].toFixed(4)} (calibrated scores, Bayes threshold)`],
      ["Cllr calibrated", `${calibrated.cllr_calibrated.toFixed(4)} bits (calibration loss ${calibrated.calibration_loss.toFixed(4)} bits over minCllr)`],
    );
  }
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}\n`).join("");
}

/** `voxlab metrics <scores.csv> [--json]`: EER, ROCCH-EER, minDCF, Cllr of a `score,label` CSV. */
export function registerMetrics(program: Command): void {
  program
    .command("metrics")
    .description("verification metrics (EER, ROCCH-EER, minDCF, Cllr) of a scores CSV with a score,label header")
    .argument("<scores.csv>", "CSV with header columns score and label (1 = same speaker, 0 = different)")
    .option("--json", "print the metrics as JSON with the METRICS.md key names (reject-all thresholds are null)")
    .option("--calibration <calib.json>", "also the actual DCFs and Cllr of the scores calibrated with this voxlab calibrate output (cllr stays the raw scores')")
    .action(async (path: string, flags: { json?: boolean; calibration?: string }) => {
      const { calibratedMetrics, computeMetrics, readScoresCsv } = await import("../../metrics/index.ts");
      const calibration = flags.calibration === undefined ? undefined : await (await import("../../calibration/file.ts")).readCalibration(flags.calibration);
      const { scores, labels } = await readScoresCsv(path, { trials: false });
      const metrics = computeMetrics(scores, labels, { source: path });
      let calibrated: CalibratedMetrics | undefined;
      if (calibration) {
        if (calibration.qmf) throw new VoxlabError(`${flags.calibration}: a calibration with duration quality measures needs trial durations; use voxlab eval --calibration`);
        const { applyCalibration } = await import("../../calibration/linear.ts");
        calibrated = calibratedMetrics(applyCalibration(calibration, scores), labels, path);
      }
      const extra = calibrated === undefined ? {} : { "act_dcf_p0.01": calibrated["act_dcf_p0.01"], "act_dcf_p0.05": calibrated["act_dcf_p0.05"], cllr_calibrated: calibrated.cllr_calibrated, calibration_loss: calibrated.calibration_loss };
      const table = formatMetricsTable(metrics, calibrated);
      process.stdout.write(flags.json ? `${JSON.stringify({ ...metrics, ...extra }, null, 1)}\n` : table);
    });
}
