import type { Command } from "commander";
import { computeMetrics, readScoresCsv, type VerificationMetrics } from "../../metrics/index.ts";

function percent(rate: number): string {
  return `${(100 * rate).toFixed(3)} %`;
}

function threshold(t: number): string {
  return Number.isFinite(t) ? `at threshold ${Number(t.toPrecision(6))}` : "rejecting all trials";
}

/** The human-readable table: one metric per line. */
export function formatMetricsTable(m: VerificationMetrics): string {
  const rows: [string, string][] = [
    ["trials", `${m.n_target + m.n_nontarget} (${m.n_target} target, ${m.n_nontarget} non-target)`],
    ["EER", percent(m.eer)],
    ["EER (ROCCH)", percent(m.eer_rocch)],
    ["minDCF p=0.01", `${m["min_dcf_p0.01"].toFixed(4)} ${threshold(m["min_dcf_p0.01_threshold"])}`],
    ["minDCF p=0.05", `${m["min_dcf_p0.05"].toFixed(4)} ${threshold(m["min_dcf_p0.05_threshold"])}`],
    ["Cllr", `${m.cllr.toFixed(4)} bits (scores taken as natural-log LLRs)`],
    ["minCllr", `${m.min_cllr.toFixed(4)} bits`],
  ];
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
    .action(async (path: string, flags: { json?: boolean }) => {
      const { scores, labels } = await readScoresCsv(path);
      const metrics = computeMetrics(scores, labels, { source: path });
      process.stdout.write(flags.json ? `${JSON.stringify(metrics, null, 1)}\n` : formatMetricsTable(metrics));
    });
}
