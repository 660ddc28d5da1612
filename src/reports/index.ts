import { join } from "node:path";
import { ensureDir, writeFileAtomic } from "../core/fs.ts";
import { renderPng } from "../plots/index.ts";
import { buildReport, type ReportInput } from "./html.ts";

export {
  conditionBreakdowns,
  conditionMetrics,
  conditionSections,
  DURATION_BINS,
  type Breakdown,
  type Condition,
  type ConditionFigure,
  type ConditionMetrics,
  type ConditionSections,
  type ConditionSystem,
  type TrialConditions,
} from "./conditions.ts";
export {
  audioPlayer,
  buildReport,
  escapeHtml,
  renderReportHtml,
  type BuiltReport,
  type ReportFigure,
  type ReportInput,
  type ReportTrial,
} from "./html.ts";
export { calibrationCostRows, transferRows, type CalibrationCostRow, type ReportCalibration, type TransferRow } from "./calibration.ts";
export { plotlyDet, plotlyScoreDistribution, plotlyThresholdSweep, type PlotlyFigure } from "./interactive.ts";
export { confusionAt, RULE_OF_30, ruleOf30Warning, thresholdTable, type ConfusionCounts, type ThresholdRow, type ThresholdTableOptions } from "../metrics/thresholds.ts";

export interface WrittenReport {
  report: string;
  /** Each figure as <name>.svg and <name>.png (2× scale). */
  figures: string[];
}

/** Writes `<dir>/report.html` and each figure as SVG and PNG beside it. */
export async function writeReport(dir: string, input: ReportInput): Promise<WrittenReport> {
  await ensureDir(dir, "report folder");
  const built = await buildReport(input);
  const report = join(dir, "report.html");
  await writeFileAtomic(report, built.html);
  const figures: string[] = [];
  for (const figure of built.figures) {
    const svg = join(dir, `${figure.name}.svg`);
    const png = join(dir, `${figure.name}.png`);
    await writeFileAtomic(svg, figure.svg);
    await writeFileAtomic(png, await renderPng(figure.svg, 2));
    figures.push(svg, png);
  }
  return { report, figures };
}
