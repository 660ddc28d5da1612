import { type ReportInput } from "./html.ts";
export { buildReport, escapeHtml, metricIntervals, renderReportHtml, type BuiltReport, type IntervalMetric, type MetricIntervals, type ReportFigure, type ReportInput, type ReportTrial, } from "./html.ts";
export { plotlyDet, plotlyScoreDistribution, plotlyThresholdSweep, type PlotlyFigure } from "./interactive.ts";
export { confusionAt, RULE_OF_30, ruleOf30Warning, thresholdTable, type ConfusionCounts, type ThresholdRow, type ThresholdTableOptions } from "./thresholds.ts";
export interface WrittenReport {
    report: string;
    /** Each figure as <name>.svg and <name>.png (2× scale). */
    figures: string[];
}
/** Writes `<dir>/report.html` and each figure as SVG and PNG beside it. */
export declare function writeReport(dir: string, input: ReportInput): Promise<WrittenReport>;
