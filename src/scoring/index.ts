// Scoring: cosine trials, s-norm / AS-norm against a cohort, the scores table.
export { cosineScore, dot, l2Norm, l2Normalize, unitVector, type Vector } from "../core/vector.ts";
export {
  asNorm,
  centerEmbedding,
  Cohort,
  cohortStats,
  meanEmbedding,
  meanStd,
  normalizeScores,
  selectTopK,
  sNorm,
  sNormScore,
  type CohortStats,
  type CohortStatsOptions,
  type ScoreNormOptions,
  type StdEstimator,
} from "./norm.ts";
export { scoreTrials, trialEmbeddings, type TrialEmbeddingOptions, type TrialEmbeddings } from "./score-trials.ts";
export { formatScoresCsv, parseScoresCsv, readScoresCsv, writeScoresCsv, type ScoresCsvOptions, type ScoresTable } from "./scores-csv.ts";
