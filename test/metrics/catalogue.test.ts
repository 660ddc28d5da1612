import assert from "node:assert/strict";
import { test } from "node:test";
import {
  calibratedJson,
  calibratedMetrics,
  computeMetrics,
  formatMetricValue,
  groupTrials,
  INTERVAL_METRICS,
  intervalMetric,
  METRIC_CATALOGUE,
  metricDefinition,
} from "../../src/index.ts";
import { mulberry32 } from "../../src/core/random.ts";

const random = mulberry32(7);
const labels = Uint8Array.from({ length: 400 }, (_, i) => (i % 3 === 0 ? 1 : 0));
const scores = Float64Array.from(labels, (l) => l + 1.5 * (random() - 0.5));

test("metric catalogue: every metrics.json key once, raw scores' and calibrated scores' alike", () => {
  const keys = METRIC_CATALOGUE.map((m) => m.key);
  assert.equal(new Set(keys).size, keys.length, "no key twice");
  const raw = computeMetrics(scores, labels);
  assert.deepEqual(METRIC_CATALOGUE.filter((m) => m.from === "scores").map((m) => m.key), Object.keys(raw), "computeMetrics' keys, in its order");
  const calibrated = calibratedMetrics(scores, labels);
  const added = Object.keys(calibrated).filter((k) => k !== "min_cllr");
  assert.deepEqual(Object.keys(calibratedJson(calibrated)), added, "the calibrated keys metrics.json adds (min_cllr is the raw scores')");
});

test("metric catalogue: each interval metric recomputes alone what computeMetrics gives", () => {
  const raw = computeMetrics(scores, labels);
  const groups = groupTrials(scores, labels);
  for (const key of INTERVAL_METRICS) assert.equal(intervalMetric(key)(groups), raw[key], key);
});

test("metric catalogue: rates in percent with 3 decimals, costs and bits with 4", () => {
  assert.equal(formatMetricValue(metricDefinition("eer").unit, 0.0325), "3.250 %");
  assert.equal(formatMetricValue(metricDefinition("min_dcf_p0.01").unit, 0.27917), "0.2792");
  assert.equal(formatMetricValue(metricDefinition("cllr").unit, 0.85), "0.8500");
});
