// The demo check: calibrate on one half of the demo speakers, evaluate on the other.
import assert from "node:assert/strict";
import { readFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  defaultModelPath,
  generateDemoDataset,
  loadTrials,
  readCalibration,
  runEvaluation,
  scanDataset,
  splitTrialsBySpeaker,
  writeTrials,
} from "../../src/index.ts";
import { calibrateDevSet } from "../../src/calibration/dev-set.ts";
import { referenceActualDcf } from "../helpers/calibration-reference.ts";
import { repoRoot } from "../helpers/shared.ts";

test("demo: calibrated on half the speakers, the other half's Cllr comes within 0.1 bit of minCllr; actual DCFs drop", { timeout: 600_000 }, async (t) => {
  // The demo dataset is what `npm start` makes (deterministic; generated here when missing).
  const demo = join(repoRoot, "datasets", "demo");
  await generateDemoDataset({ outDir: demo });
  const work = await mkdtemp(join(tmpdir(), "voxlab-calib-demo-"));
  try {
    const speakerOf = new Map((await scanDataset(demo)).map((e) => [e.path, e.speaker]));
    const split = splitTrialsBySpeaker((await loadTrials(join(demo, "trials.txt"))).trials, (id) => speakerOf.get(id));
    assert.deepEqual(split.speakers[0].length, 8);
    const [devTrials, evalTrials] = [join(work, "dev.txt"), join(work, "eval.txt")];
    await writeTrials(devTrials, split.trials[0]);
    await writeTrials(evalTrials, split.trials[1]);
    const common = { data: demo, model: defaultModelPath(), storeDir: join(work, "store"), bootstrapIterations: 10, interactive: false };
    await runEvaluation({ ...common, trials: devTrials, outDir: join(work, "dev") });
    const calibration = await calibrateDevSet(join(work, "dev"));
    const result = await runEvaluation({ ...common, trials: evalTrials, outDir: join(work, "eval"), calibration: { calibration, source: "dev calib" } });
    assert.ok(result.calibrated);
    const raw = result.metrics;
    const cal = result.calibrated.metrics;
    const labels = Uint8Array.from(result.trials, (x) => x.label);
    const before = { "act_dcf_p0.01": referenceActualDcf({ scores: result.scores, labels }, 0.01), "act_dcf_p0.05": referenceActualDcf({ scores: result.scores, labels }, 0.05) };
    t.diagnostic(
      `eval half ${split.speakers[1].join(",")}: ${raw.n_target} target, ${raw.n_nontarget} non-target trials; ` +
        `Cllr raw ${raw.cllr.toFixed(4)}, calibrated ${cal.cllr_calibrated.toFixed(4)}, minCllr ${raw.min_cllr.toFixed(4)}; ` +
        `P=0.01 actDCF ${before["act_dcf_p0.01"].toFixed(4)} -> ${cal["act_dcf_p0.01"].toFixed(4)} (minDCF ${raw["min_dcf_p0.01"].toFixed(4)}); ` +
        `P=0.05 actDCF ${before["act_dcf_p0.05"].toFixed(4)} -> ${cal["act_dcf_p0.05"].toFixed(4)} (minDCF ${raw["min_dcf_p0.05"].toFixed(4)}); ` +
        `llr = ${calibration.scale.toFixed(4)} s + ${calibration.offset.toFixed(4)}`,
    );
    // The bar: raw cosines are far from LLRs (0.93 vs 0.49 bits on the whole demo); calibrated ones within 0.1 bit.
    assert.ok(raw.cllr - raw.min_cllr > 0.3, `raw Cllr ${raw.cllr} already near minCllr ${raw.min_cllr}`);
    assert.ok(cal.cllr_calibrated - raw.min_cllr < 0.1, `calibrated Cllr ${cal.cllr_calibrated} vs minCllr ${raw.min_cllr}`);
    assert.equal(cal.min_cllr, raw.min_cllr);
    for (const key of ["act_dcf_p0.01", "act_dcf_p0.05"] as const) {
      assert.ok(cal[key] < before[key], `${key}: ${before[key]} -> ${cal[key]}`);
      assert.ok(cal[key] >= raw[key === "act_dcf_p0.01" ? "min_dcf_p0.01" : "min_dcf_p0.05"] - 1e-12);
    }
    // What was written: calibrated scores beside the raw ones, the actual costs in metrics.json and the report.
    const metricsJson = JSON.parse(await readFile(join(work, "eval", "metrics.json"), "utf8")) as Record<string, unknown>;
    assert.equal(metricsJson.cllr, raw.cllr);
    assert.equal(metricsJson.cllr_calibrated, cal.cllr_calibrated);
    assert.equal(metricsJson["act_dcf_p0.01"], cal["act_dcf_p0.01"]);
    const calibratedCsv = (await readFile(join(work, "eval", "scores.calibrated.csv"), "utf8")).trim().split("\n");
    assert.equal(calibratedCsv.length, result.trials.length + 1);
    const [, , , firstLlr] = calibratedCsv[1].split(",");
    assert.ok(Math.abs(Number(firstLlr) - (calibration.scale * result.scores[0] + calibration.offset)) < 1e-12);
    const html = await readFile(join(work, "eval", "report.html"), "utf8");
    assert.match(html, /<section id="calibration">/);
    assert.match(html, /<figure id="fig-bayes-error">/);
    assert.match(html, /minDCF \(P_target = 0\.01\), tuned on dev/);
    // calibrateDevSet's output survives a round trip through calib.json (what `voxlab calibrate` writes).
    const { writeCalibration } = await import("../../src/calibration/file.ts");
    await writeCalibration(join(work, "calib.json"), calibration);
    assert.deepEqual(await readCalibration(join(work, "calib.json")), calibration);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
