import { cllr, eer, minCllr, rocchEer, type BootstrapOptions, type ConfidenceInterval, type Labels, type TrialGroups, type VerificationMetrics } from "../metrics/index.ts";
import { type PlotlyFigure } from "./interactive.ts";
import { type ThresholdRow } from "./thresholds.ts";
/** One trial as the report names it (aligned with `scores`). */
export interface ReportTrial {
    enroll: string;
    test: string;
    enrollSpeaker?: string;
    testSpeaker?: string;
}
/** The metrics that get a bootstrap interval, with the function that recomputes each on a resample. */
declare const INTERVAL_METRICS: {
    readonly eer: {
        readonly label: "EER";
        readonly percent: true;
        readonly metric: typeof eer;
    };
    readonly "min_dcf_p0.01": {
        readonly label: "minDCF (P_target = 0.01)";
        readonly percent: false;
        readonly metric: (g: TrialGroups) => number;
    };
    readonly "min_dcf_p0.05": {
        readonly label: "minDCF (P_target = 0.05)";
        readonly percent: false;
        readonly metric: (g: TrialGroups) => number;
    };
    readonly cllr: {
        readonly label: "Cllr";
        readonly percent: false;
        readonly metric: typeof cllr;
    };
    readonly min_cllr: {
        readonly label: "minCllr";
        readonly percent: false;
        readonly metric: typeof minCllr;
    };
    readonly eer_rocch: {
        readonly label: "ROCCH-EER";
        readonly percent: true;
        readonly metric: typeof rocchEer;
    };
};
export type IntervalMetric = keyof typeof INTERVAL_METRICS;
export type MetricIntervals = Partial<Record<IntervalMetric, ConfidenceInterval>>;
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
export declare function escapeHtml(text: string): string;
export declare function metricIntervals(scores: ArrayLike<number>, labels: Labels, options?: BootstrapOptions): MetricIntervals;
/** Builds the report: the HTML page and the figures it shows (for writing beside it). */
export declare function buildReport(input: ReportInput): Promise<BuiltReport>;
/** The report as one self-contained HTML page: inline SVG figures, inline plotly.js, no network loads. */
export declare function renderReportHtml(input: ReportInput): Promise<string>;
export {};
