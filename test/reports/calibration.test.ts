import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { applyCalibration, bayesErrorData, calibratedMetrics, computeMetrics, groupTrials, trainCalibration, type Calibration } from "../../src/index.ts";
import { mulberry32 } from "../../src/core/random.ts";
import { buildReport, transferRows, writeReport, type ReportInput } from "../../src/reports/index.ts";
import { referenceActualDcf } from "../helpers/calibration-reference.ts";

const CHROMIUM = "/usr/bin/chromium";
const needChromium: string | false = existsSync(CHROMIUM) ? false : `${CHROMIUM} not found (apt-get install chromium); browser check skipped`;

/** Cosine-like scores: targets around 0.6, non-targets around 0.2. */
function cosines(nTarget: number, nNontarget: number, seed: number): { scores: Float64Array; labels: Uint8Array } {
  const random = mulberry32(seed);
  const scores = new Float64Array(nTarget + nNontarget);
  const labels = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) {
    labels[i] = i < nTarget ? 1 : 0;
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    scores[i] = (labels[i] ? 0.6 : 0.2) + 0.12 * z;
  }
  return { scores, labels };
}

function calibratedInput(): { input: ReportInput; calibration: Calibration; labels: Uint8Array; llrs: Float64Array } {
  const dev = cosines(200, 2000, 1);
  const evaluation = cosines(300, 3000, 2);
  const calibration = { ...trainCalibration(dev.scores, dev.labels), dev_thresholds: [{ name: "minDCF (P_target = 0.01)", threshold: 0.55 }, { name: "reject", threshold: null }] };
  const llrs = applyCalibration(calibration, evaluation.scores);
  const input: ReportInput = {
    title: "calibrated run",
    ...evaluation,
    metrics: computeMetrics(evaluation.scores, evaluation.labels),
    bootstrap: false,
    calibration: { calibration, source: "dev/calib.json", llrs, metrics: calibratedMetrics(llrs, evaluation.labels) },
  };
  return { input, calibration, labels: evaluation.labels, llrs };
}

test("report: calibration section, Bayes error-rate figure and dev thresholds measured on the evaluation trials", async () => {
  const { input, calibration, labels, llrs } = calibratedInput();
  const built = await buildReport({ ...input, interactive: false });
  assert.match(built.html, /<section id="calibration"><h2>Calibration<\/h2>/);
  assert.ok(built.html.includes("dev/calib.json"));
  const figure = built.figures.find((f) => f.name === "bayes-error");
  assert.ok(figure && figure.svg.startsWith("<svg"));
  // Dev thresholds, then the Bayes decisions: each row's numbers by counting trials here.
  const rows = transferRows(groupTrials(input.scores, labels), groupTrials(llrs, labels), calibration);
  assert.deepEqual(rows.map((r) => r.name), ["minDCF (P_target = 0.01), tuned on dev", "reject, tuned on dev", "Bayes decision at P_target = 0.01", "Bayes decision at P_target = 0.05"]);
  const accepted = Array.from(input.scores, (s) => s >= 0.55);
  const fa = accepted.filter((a, i) => a && labels[i] === 0).length;
  const miss = accepted.filter((a, i) => !a && labels[i] === 1).length;
  assert.equal(rows[0].far, fa / 3000);
  assert.equal(rows[0].frr, miss / 300);
  assert.ok(Math.abs(rows[0].dcf01 - (0.01 * (miss / 300) + 0.99 * (fa / 3000)) / 0.01) < 1e-12);
  assert.deepEqual([rows[1].far, rows[1].frr, rows[1].dcf01], [0, 1, 1]);
  assert.ok(Math.abs(rows[2].dcf01 - referenceActualDcf({ scores: llrs, labels }, 0.01)) < 1e-12);
  assert.ok(Math.abs(rows[3].dcf05 - referenceActualDcf({ scores: llrs, labels }, 0.05)) < 1e-12);
  assert.match(built.html, /<h3 id="transfer">Thresholds chosen on the dev set, applied here<\/h3>/);
  assert.ok(built.html.includes("raw score ≥ 0.550000") && built.html.includes("calibrated llr ≥ 4.595"));
  assert.ok(built.html.includes("A linear calibration is monotone"));
  // Quality measures can reorder trials: the report says so and draws the raw minimum too.
  const withQmf = { ...input.calibration!, calibration: { ...calibration, qmf: { log_enroll_seconds: 0.1, log_test_seconds: 0 } } };
  const qmfReport = await buildReport({ ...input, calibration: withQmf, interactive: false });
  assert.ok(qmfReport.html.includes("minDCF and minCllr may change too") && !qmfReport.html.includes("A linear calibration is monotone"));
  // Without a calibration, none of it.
  const plain = await buildReport({ ...input, calibration: undefined, interactive: false });
  assert.ok(!plain.html.includes('id="calibration"') && !plain.figures.some((f) => f.name === "bayes-error"));
});

test("Bayes error-rate plot data: per system actual (and minimum), the default detector at 1 across −10…10", () => {
  const { scores, labels } = cosines(50, 200, 3);
  const rows = bayesErrorData([{ name: "raw", scores, labels, minimum: false }, { name: "cal", scores: applyCalibration(trainCalibration(scores, labels), scores), labels }]);
  const count = (system: string, curve: string) => rows.filter((r) => r.system === system && r.curve === curve).length;
  assert.deepEqual([count("raw", "actual"), count("raw", "minimum"), count("cal", "actual"), count("cal", "minimum")], [201, 0, 201, 201]);
  assert.deepEqual(rows.filter((r) => r.curve === "default").map((r) => [r.logOdds, r.dcf]), [[-10, 1], [10, 1]]);
  // Minimum normalised DCF never exceeds the default detector, nor the actual one.
  const minimum = rows.filter((r) => r.system === "cal" && r.curve === "minimum");
  const actual = rows.filter((r) => r.system === "cal" && r.curve === "actual");
  minimum.forEach((m, i) => assert.ok(m.dcf <= 1 && m.dcf <= actual[i].dcf + 1e-6, `at ${m.logOdds}`));
});

test("report with a calibration renders in headless Chromium with the calibration section and no script errors", { skip: needChromium, timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "voxlab-report-calib-"));
  try {
    const { report } = await writeReport(dir, calibratedInput().input);
    const { stdout, stderr } = await promisify(execFile)(
      CHROMIUM,
      ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000", "--dump-dom", `file://${report}`],
      { maxBuffer: 64 * 1024 * 1024, timeout: 90_000 },
    );
    assert.deepEqual(stderr.split("\n").filter((line) => /:CONSOLE/.test(line) && /error|uncaught/i.test(line)), []);
    assert.match(stdout, /<section id="calibration">/);
    assert.match(stdout, /<figure id="fig-bayes-error"><div><svg/);
    assert.match(stdout, /<table class="transfer">/);
    assert.ok((stdout.match(/class="main-svg"/g) ?? []).length >= 3, "plotly still draws the interactive figures");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
