import type { DetPlotData, ScoreDistributionData, SweepRow } from "../plots/index.ts";
/** A plotly.js figure as `Plotly.newPlot(div, data, layout)` takes it (plain JSON). */
export interface PlotlyFigure {
    data: Record<string, unknown>[];
    layout: Record<string, unknown>;
}
/** The DET plot of `detPlotData`, zoomable, with the rates under the pointer. */
export declare function plotlyDet(det: DetPlotData): PlotlyFigure;
/** Error rates and DCFs against the threshold, as steps. */
export declare function plotlyThresholdSweep(rows: readonly SweepRow[]): PlotlyFigure;
/** Per-class histograms and density lines; thresholds as labelled vertical lines. */
export declare function plotlyScoreDistribution(dist: ScoreDistributionData, thresholds: readonly {
    name: string;
    value: number;
}[]): PlotlyFigure;
