import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fixture, needShared, repoRoot } from "../helpers/shared.ts";

function voxlab(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: repoRoot, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("cli metrics --json: the fixture's reference values under the METRICS.md keys", { skip: needShared }, () => {
  const run = voxlab("metrics", fixture("metrics", "gauss-small.csv"), "--json");
  assert.equal(run.status, 0, run.stderr);
  const got = JSON.parse(run.stdout) as Record<string, number>;
  const reference = JSON.parse(readFileSync(fixture("metrics", "gauss-small.json"), "utf8")) as Record<string, number>;
  assert.deepEqual(Object.keys(got).sort(), Object.keys(reference).sort());
  for (const [key, expected] of Object.entries(reference)) assert.ok(Math.abs(got[key] - expected) <= 1e-9, key);
});

test("cli metrics: a human table by default; reject-all thresholds are null in JSON", () => {
  const dir = mkdtempSync(join(tmpdir(), "voxlab-metrics-"));
  try {
    // One target at 0.5 among non-targets at 0.9, 0.3, 0.1: minDCF p=0.05 is reached by rejecting all.
    const csv = join(dir, "scores.csv");
    writeFileSync(csv, "enroll,test,score,label\r\na,b,0.5,1\r\na,c,0.9,0\r\na,d,0.3,0\r\na,e,0.1,0\r\n");
    const table = voxlab("metrics", csv);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /^trials +4 \(1 target, 3 non-target\)$/m);
    assert.match(table.stdout, /^EER +33\.333 %$/m);
    assert.match(table.stdout, /^minDCF p=0\.05 +1\.0000 rejecting all trials$/m);
    const json = JSON.parse(voxlab("metrics", csv, "--json").stdout) as Record<string, number | null>;
    assert.equal(json["min_dcf_p0.05_threshold"], null);
    assert.equal(json.eer_rocch, 0.25);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("cli metrics: bad files exit 1 with one line on stderr", () => {
  const dir = mkdtempSync(join(tmpdir(), "voxlab-metrics-"));
  try {
    const bad = join(dir, "bad.csv");
    writeFileSync(bad, "score,label\n0.5,1\n0.2,yes\n");
    const oneClass = join(dir, "one-class.csv");
    writeFileSync(oneClass, "score,label\n0.5,1\n0.2,1\n");
    const cases: [string, RegExp][] = [
      [join(dir, "missing.csv"), /^voxlab: .*missing\.csv: cannot read the scores file \(ENOENT\)\n$/],
      [bad, /^voxlab: .*bad\.csv: line 3: label "yes" must be 0 \(non-target\) or 1 \(target\)\n$/],
      [oneClass, /^voxlab: .*one-class\.csv: no non-target trials/],
    ];
    for (const [path, message] of cases) {
      const run = voxlab("metrics", path, "--json");
      assert.equal(run.status, 1, path);
      assert.equal(run.stdout, "");
      assert.match(run.stderr, message);
      assert.equal(run.stderr.trimEnd().split("\n").length, 1);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
