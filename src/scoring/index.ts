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
export { formatScoresCsv, scoreTrials, trialEmbeddings, writeScoresCsv, type TrialEmbeddingOptions, type TrialEmbeddings } from "./score-trials.ts";
