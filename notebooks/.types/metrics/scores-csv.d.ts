/** A scores table: one trial per row; label 1 = target (same speaker), 0 = non-target. */
export interface ScoresTable {
    scores: Float64Array;
    labels: Uint8Array;
}
/**
 * Parses a CSV with a header holding `score` and `label` columns (others, such as enroll and test,
 * are allowed and ignored). LF or CRLF line ends; blank lines are skipped. Errors name the line.
 */
export declare function parseScoresCsv(text: string, source: string): ScoresTable;
export declare function readScoresCsv(path: string): Promise<ScoresTable>;
