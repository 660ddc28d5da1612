import type { Command } from "commander";
import { scoresFileMetrics } from "../../index.ts";
import { formatMetricsJson, formatMetricsTable } from "../format.ts";

/** `voxlab metrics <scores.csv> [--json]`: EER, ROCCH-EER, minDCF, Cllr of a `score,label` CSV. */
export function registerMetrics(program: Command): void {
  program
    .command("metrics")
    .description("verification metrics (EER, ROCCH-EER, minDCF, Cllr) of a scores CSV with a score,label header")
    .argument("<scores.csv>", "CSV with header columns score and label (1 = same speaker, 0 = different)")
    .option("--json", "print the metrics as JSON with the METRICS.md key names (reject-all thresholds are null)")
    .option("--calibration <calib.json>", "also the actual DCFs and Cllr of the scores calibrated with this voxlab calibrate output (cllr stays the raw scores')")
    .action(async (path: string, flags: { json?: boolean; calibration?: string }) => {
      const { metrics, calibrated } = await scoresFileMetrics(path, { calibration: flags.calibration });
      process.stdout.write(flags.json ? formatMetricsJson(metrics, calibrated) : formatMetricsTable(metrics, calibrated));
    });
}
