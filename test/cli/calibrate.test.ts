import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readScoresCsv } from "../../src/index.ts";
import { referenceActualDcf, referenceCllr, referenceLinearCalibration } from "../helpers/calibration-reference.ts";
import { fixture, needShared, repoRoot } from "../helpers/shared.ts";

function voxlab(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: repoRoot, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("cli calibrate + metrics --calibration --json: the reference calibration's costs; cllr stays raw", { skip: needShared }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "voxlab-calibrate-"));
  try {
    const scoresFile = fixture("metrics", "gauss-small.csv");
    const calib = join(dir, "calib.json");
    const trained = voxlab("calibrate", scoresFile, "--prior", "0.2", "--out", calib);
    assert.equal(trained.status, 0, trained.stderr);
    assert.match(trained.stdout, /^llr = [\d.]+ · score \+ -[\d.]+ \(prior 0\.2; 300 target, 3000 non-target trials\)\nwrote /);
    const { scores, labels } = await readScoresCsv(scoresFile);
    const reference = referenceLinearCalibration({ scores, labels }, 0.2);
    const saved = JSON.parse(readFileSync(calib, "utf8")) as { scale: number; offset: number; prior: number; dev_thresholds: { name: string; threshold: number | null }[] };
    assert.ok(Math.abs(saved.scale - reference.scale) < 1e-6 && Math.abs(saved.offset - reference.offset) < 1e-6, JSON.stringify(saved));
    assert.equal(saved.prior, 0.2);
    const fixtureJson = JSON.parse(readFileSync(fixture("metrics", "gauss-small.json"), "utf8")) as Record<string, number>;
    // The dev thresholds are the fixture's minDCF thresholds (and others of the report's table).
    assert.equal(saved.dev_thresholds.find((d) => d.name === "minDCF (P_target = 0.01)")?.threshold, fixtureJson["min_dcf_p0.01_threshold"]);

    const run = voxlab("metrics", scoresFile, "--calibration", calib, "--json");
    assert.equal(run.status, 0, run.stderr);
    const got = JSON.parse(run.stdout) as Record<string, number>;
    const llrs = Float64Array.from(scores, (s) => reference.scale * s + reference.offset);
    assert.ok(Math.abs(got.cllr - fixtureJson.cllr) < 1e-9, "cllr is the raw scores'");
    assert.ok(Math.abs(got.cllr_calibrated - referenceCllr({ scores: llrs, labels })) < 1e-6);
    assert.ok(Math.abs(got["act_dcf_p0.01"] - referenceActualDcf({ scores: llrs, labels }, 0.01)) < 1e-6);
    assert.ok(Math.abs(got["act_dcf_p0.05"] - referenceActualDcf({ scores: llrs, labels }, 0.05)) < 1e-6);
    assert.ok(Math.abs(got.calibration_loss - (got.cllr_calibrated - got.min_cllr)) < 1e-15);
    const table = voxlab("metrics", scoresFile, "--calibration", calib);
    assert.match(table.stdout, /^actDCF p=0\.01 +\d\.\d{4} \(calibrated scores, Bayes threshold\)$/m);
    assert.match(table.stdout, /^Cllr calibrated +\d\.\d{4} bits \(calibration loss/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("cli calibrate / metrics --calibration: bad input exits 1 with one line", () => {
  const dir = mkdtempSync(join(tmpdir(), "voxlab-calibrate-"));
  try {
    const separated = join(dir, "separated.csv");
    writeFileSync(separated, "score,label\n0.9,1\n0.8,1\n0.1,0\n0.2,0\n");
    const fine = join(dir, "fine.csv");
    writeFileSync(fine, "score,label\n0.9,1\n0.3,1\n0.4,0\n0.2,0\n");
    const notCalib = join(dir, "metrics.json");
    writeFileSync(notCalib, '{"eer": 0.1}');
    const cases: [string[], RegExp][] = [
      [["calibrate", separated, "--out", join(dir, "c.json")], /separate targets from non-targets/],
      [["calibrate", fine, "--prior", "0", "--out", join(dir, "c.json")], /--prior must be a probability strictly between 0 and 1, got "0"/],
      [["calibrate", fine, "--qmf", "--out", join(dir, "c.json")], /--qmf needs the dataset/],
      [["calibrate", join(dir, "missing"), "--out", join(dir, "c.json")], /missing: cannot read \(ENOENT\)/],
      [["calibrate", dir, "--out", join(dir, "c.json")], /scores\.csv: cannot read the scores file \(ENOENT\)/],
      [["calibrate", fine, "--out", join(dir, "no", "such", "c.json")], /c\.json/],
      [["metrics", fine, "--calibration", notCalib], /metrics\.json: format: .*voxlab calibrate/],
    ];
    for (const [args, message] of cases) {
      const run = voxlab(...args);
      assert.equal(run.status, 1, args.join(" "));
      assert.equal(run.stdout, "");
      assert.match(run.stderr, message);
      assert.equal(run.stderr.trimEnd().split("\n").length, 1, run.stderr);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
