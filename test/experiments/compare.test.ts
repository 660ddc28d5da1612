import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { compareRuns } from "../../src/index.ts";
import { compareCurves, readRun } from "../../src/experiments/compare.ts";
import { dataset, needShared, repoRoot } from "../helpers/shared.ts";

const CHROMIUM = "/usr/bin/chromium";
const needChromium: string | false = existsSync(CHROMIUM) ? false : `${CHROMIUM} not found (apt-get install chromium); browser check skipped`;

const exec = promisify(execFile);
/** The CLI from any working directory (tsx resolved here, not from the cwd). */
const cli = (args: string[], cwd = repoRoot) =>
  exec(process.execPath, ["--import", import.meta.resolve("tsx"), join(repoRoot, "src", "cli", "main.ts"), ...args], { cwd, maxBuffer: 1 << 24 });

let work = "";

interface HandRun {
  name: string;
  norm: "none" | "s-norm";
  targets: number[];
  nontargets: number[];
  eer: number;
}

/** A run folder as `voxlab run` leaves it, written by hand: the files compare reads. */
async function writeRun(dir: string, run: HandRun): Promise<string> {
  await mkdir(dir, { recursive: true });
  const config = {
    name: run.name,
    seed: 1,
    dataset: "/data/set",
    trials: { file: "/data/set/trials.txt" },
    enrollMap: null,
    model: "/models/m.onnx",
    frontend: { chunkSeconds: null },
    scoring: { norm: run.norm, cohort: run.norm === "none" ? null : "/data/cohort", topK: 200 },
    outputs: { interactive: false, bootstrapIterations: 10 },
  };
  await writeFile(join(dir, "config.resolved.json"), JSON.stringify(config));
  await writeFile(join(dir, "provenance.json"), "{}");
  // Speakers a and b, <speaker>/<session>/<file>: targets a/s1 against a/s2, non-targets a/s1 against b/s1.
  const rows = [...run.targets.map((s, i) => `a/s1/${i}.wav,a/s2/t${i}.wav,1,${s}`), ...run.nontargets.map((s, i) => `a/s1/${i}.wav,b/s1/n${i}.wav,0,${s}`)];
  await writeFile(join(dir, "scores.csv"), `enroll,test,label,score\n${rows.join("\n")}\n`);
  const metrics = {
    n_target: run.targets.length,
    n_nontarget: run.nontargets.length,
    eer: run.eer,
    eer_rocch: run.eer,
    "min_dcf_p0.01": 0.5,
    "min_dcf_p0.01_threshold": null,
    "min_dcf_p0.05": 0.25,
    "min_dcf_p0.05_threshold": 0.6,
    cllr: 1.25,
    min_cllr: 0.5,
    run: { dataset: "/data/set" },
  };
  await writeFile(join(dir, "metrics.json"), JSON.stringify(metrics));
  return dir;
}

// Targets 0.9, 0.6 and non-targets 0.7, 0.1: accepting score >= t gives, by hand,
// t=0.9: Pfa 0, Pmiss 1/2; t=0.7: Pfa 1/2, Pmiss 1/2; t=0.6: Pfa 1/2, Pmiss 0; t=0.1: Pfa 1, Pmiss 0. EER 1/2.
const RAW: HandRun = { name: "exp", norm: "none", targets: [0.9, 0.6], nontargets: [0.7, 0.1], eer: 0.5 };
// Separable: at t=0.8 Pfa 0, Pmiss 0. EER 0.
const NORMED: HandRun = { name: "exp-snorm", norm: "s-norm", targets: [2.5, 0.8], nontargets: [0.2, -1.5], eer: 0 };

let rawDir = "";
let normedDir = "";

before(async () => {
  work = await mkdtemp(join(tmpdir(), "voxlab-compare-"));
  rawDir = await writeRun(join(work, "results", "exp", "20250101T000000Z-aaaaaaaa"), RAW);
  normedDir = await writeRun(join(work, "results", "exp-snorm", "20250101T000001Z-bbbbbbbb"), NORMED);
});
after(() => rm(work, { recursive: true, force: true }));

test("compare: DET curves from scores.csv hold the hand-computed operating points; the table shows metrics.json", async () => {
  const runs = await Promise.all([readRun(rawDir), readRun(normedDir)]);
  const [raw, normed] = compareCurves(runs);
  assert.deepEqual([raw.name, normed.name], ["exp", "exp-snorm"], "unique experiments name their curves alone");
  assert.equal(raw.eer, 0.5);
  const pairs = (c: typeof raw) => Array.from(c.pfa, (p, i) => `${p},${c.pmiss[i]}`);
  for (const point of ["0,0.5", "0.5,0.5", "0.5,0", "1,0"]) assert.ok(pairs(raw).includes(point), point);
  assert.ok(pairs(normed).includes("0,0"));

  const out = join(work, "out");
  const comparison = await compareRuns([rawDir, normedDir], out);
  assert.equal(
    comparison.table,
    "| run | scoring | trials | EER % | ROCCH-EER % | minDCF 0.01 | minDCF 0.05 | Cllr | minCllr |\n" +
      "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n" +
      "| exp/20250101T000000Z-aaaaaaaa | cosine | 4 | 50.000 | 50.000 | 0.5000 | 0.2500 | 1.2500 | 0.5000 |\n" +
      "| exp-snorm/20250101T000001Z-bbbbbbbb | s-norm | 4 | 0.000 | 0.000 | 0.5000 | 0.2500 | 1.2500 | 0.5000 |\n",
  );
  assert.deepEqual((await readdir(out)).sort(), ["compare.html", "det-compare.png", "det-compare.svg"]);
  // Paired speaker bootstrap over speakers a and b: a draw of (2, 0) leaves no non-target and (0, 2) no
  // target, so both are drawn again; every kept draw is (1, 1), the trials themselves. The interval is
  // the difference itself: EER 0 − 1/2.
  assert.ok(
    comparison.pairedTable.includes("| exp-snorm vs exp | EER | 50.000 % | 0.000 % | -50.000 % | [-50.000 %, -50.000 %] | exp-snorm is better than exp: the interval excludes 0 |\n"),
    comparison.pairedTable,
  );
  assert.match(comparison.pairedTable, /95 % percentile intervals from 1000 bootstrap resamples \(seed 1\) that draw speakers, not trials/);
  const html = await readFile(join(out, "compare.html"), "utf8");
  assert.ok(html.includes("<td>exp-snorm vs exp</td><td>EER</td><td>50.000 %</td><td>0.000 %</td><td>-50.000 %</td>"));
  assert.ok(html.includes('id="condition-session"') && html.includes('id="condition-speaker"') && html.includes('<figure id="fig-det-speaker"><svg'));
  assert.ok(html.includes("<td>exp-snorm/20250101T000001Z-bbbbbbbb</td><td>s-norm</td><td>4</td><td>0.000</td>"));
  assert.ok(html.includes(await readFile(join(out, "det-compare.svg"), "utf8")), "the SVG is inlined");
});

test("compare: runs on different trial lists get no paired test, and say so", async () => {
  const fewer = await writeRun(join(work, "results", "exp-fewer", "20250101T000002Z-cccccccc"), { ...RAW, name: "exp-fewer", targets: [0.9] });
  const { paired, pairedTable } = await compareRuns([rawDir, normedDir, fewer], join(work, "out-lists"));
  assert.deepEqual(paired.map((p) => p.applies), [true, false]);
  assert.ok(pairedTable.includes("| exp-fewer vs exp | — |  |  |  |  | the paired test does not apply: different trial lists (4 and 3 trials) |\n"), pairedTable);
});

test("compare.html renders in headless Chromium with the paired and condition sections", { skip: needChromium, timeout: 120_000 }, async () => {
  const out = join(work, "out-chromium");
  const { files } = await compareRuns([rawDir, normedDir], out);
  const { stdout, stderr } = await exec(
    CHROMIUM,
    ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--enable-logging=stderr", "--v=0", "--dump-dom", `file://${files.html}`],
    { maxBuffer: 64 * 1024 * 1024, timeout: 90_000 },
  );
  assert.deepEqual(stderr.split("\n").filter((line) => /:CONSOLE/.test(line) && /error|uncaught/i.test(line)), []);
  assert.match(stdout, /<section id="paired"><h2>Is the difference real\?<\/h2>/);
  assert.match(stdout, /<section id="conditions"><h2>Conditions<\/h2>/);
  // The overall DET and one DET per breakdown (session, speaker), drawn by vega as SVG marks.
  assert.equal((stdout.match(/<svg\b/g) ?? []).length, 3);
  assert.ok((stdout.match(/class="mark-line role-mark/g) ?? []).length >= 3);
});

test("compare: copies of one run in two places are told apart by their paths", async () => {
  const copy = join(work, "elsewhere", "exp", "20250101T000000Z-aaaaaaaa");
  await cp(rawDir, copy, { recursive: true });
  const { runs } = await compareRuns([rawDir, copy], join(work, "out-copies"));
  assert.deepEqual(
    runs.map((r) => r.name),
    [rawDir, copy],
  );
  assert.deepEqual(
    compareCurves(runs).map((c) => c.name),
    [rawDir, copy],
  );
});

test("compare: folders that are not complete runs are one-line errors naming them", async () => {
  const incomplete = join(work, "results", "exp", "20250102T000000Z-cccccccc");
  await writeRun(incomplete, RAW);
  await rm(join(incomplete, "metrics.json"));
  await rm(join(incomplete, "provenance.json"));
  await assert.rejects(readRun(incomplete), { message: `${incomplete}: not a complete run (no provenance.json, metrics.json)` });

  const partial = `${rawDir}x.partial`;
  await cp(rawDir, partial, { recursive: true });
  await assert.rejects(readRun(partial), { message: `${partial}: an unfinished run (killed or still running), not a complete run` });

  const badMetrics = await writeRun(join(work, "results", "exp", "bad-metrics"), RAW);
  await writeFile(join(badMetrics, "metrics.json"), JSON.stringify({ n_target: 2, n_nontarget: 2, eer: "0.5" }));
  await assert.rejects(readRun(badMetrics), { message: `${join(badMetrics, "metrics.json")}: eer: expected a number, got "0.5"` });

  const badConfig = await writeRun(join(work, "results", "exp", "bad-config"), RAW);
  await writeFile(join(badConfig, "config.resolved.json"), JSON.stringify({ name: "exp", dataset: "/d", scoring: { norm: "t-norm" } }));
  await assert.rejects(readRun(badConfig), { message: `${join(badConfig, "config.resolved.json")}: scoring.norm: expected one of none|s-norm|as-norm, got "t-norm"` });

  await assert.rejects(compareRuns([rawDir, `${rawDir}/`], join(work, "o")), { message: `${rawDir}/: given twice` });

  // Through the CLI: exit 1, the message alone on stderr.
  const missing = join(work, "nope");
  await assert.rejects(cli(["compare", rawDir, missing]), (err: { code: number; stderr: string }) => {
    assert.equal(err.code, 1);
    assert.equal(err.stderr, `voxlab: ${missing}: not a run folder (no such directory)\n`);
    return true;
  });
});

test("voxlab compare: table on stdout; files in results/compare/<UTC timestamp> under the working directory by default", async () => {
  const cwd = join(work, "cwd");
  await mkdir(cwd);
  const { stdout, stderr } = await cli(["compare", rawDir, normedDir], cwd);
  // Not a terminal: the bootstrap's progress as plain lines, the last at the end.
  assert.match(stderr, /^paired bootstrap 1 of 1: 1000 of 1000$/m);
  const [stamp] = await readdir(join(cwd, "results", "compare"));
  assert.match(stamp, /^\d{8}T\d{6}Z$/);
  assert.deepEqual((await readdir(join(cwd, "results", "compare", stamp))).sort(), ["compare.html", "det-compare.png", "det-compare.svg"]);
  assert.match(stdout, /^\| run \| scoring \|/);
  assert.match(stdout, /\| exp\/20250101T000000Z-aaaaaaaa \| cosine \| 4 \| 50\.000 \|/);
});

test("voxlab compare of the demo's cosine and AS-norm runs prints the paired differences with speaker-bootstrap intervals", { skip: needShared, timeout: 600_000 }, async () => {
  // The demo set and its two experiments (experiments/demo.yaml, demo-asnorm.yaml), in a scratch folder.
  const demo = join(work, "demo");
  await cli(["data", "demo", "--out", demo]);
  const outputs = "outputs: { interactive: false, bootstrapIterations: 20 }\n";
  await writeFile(join(work, "demo.yaml"), `name: demo\nseed: 1\ndataset: demo\ntrials: demo/trials.txt\nscoring: { norm: none }\n${outputs}`);
  await writeFile(
    join(work, "demo-asnorm.yaml"),
    `name: demo-asnorm\nseed: 1\ndataset: demo\ntrials: demo/trials.txt\nscoring: { norm: as-norm, cohort: ${dataset("librispeech-cohort")}, topK: 200 }\n${outputs}`,
  );
  const results = join(work, "demo-results");
  for (const config of ["demo.yaml", "demo-asnorm.yaml"]) await cli(["run", join(work, config), "--out", results, "--store", join(work, "store")]);
  const runDir = async (name: string) => join(results, name, (await readdir(join(results, name)))[0]);
  const [cosine, asnorm] = [await runDir("demo"), await runDir("demo-asnorm")];
  const out = join(work, "demo-compare");
  const { stdout } = await cli(["compare", cosine, asnorm, "--out", out]);

  assert.match(stdout, /95 % percentile intervals from 1000 bootstrap resamples \(seed 1\) that draw speakers, not trials/);
  const rows = [...stdout.matchAll(/^\| demo-asnorm vs demo \| (.+?) \| (\S+)( %)? \| (\S+)(?: %)? \| (\S+)(?: %)? \| \[(\S+?)(?: %)?, (\S+?)(?: %)?\] \| (.+) \|$/gm)];
  assert.deepEqual(rows.map((r) => r[1]), ["EER", "minDCF (P_target = 0.01)", "minDCF (P_target = 0.05)", "Cllr", "minCllr"]);
  // Columns A and B are the metrics each run wrote to metrics.json (computed there by computeMetrics).
  const metrics = async (dir: string) => JSON.parse(await readFile(join(dir, "metrics.json"), "utf8")) as Record<string, number>;
  const [a, b] = [await metrics(cosine), await metrics(asnorm)];
  const keys = ["eer", "min_dcf_p0.01", "min_dcf_p0.05", "cllr", "min_cllr"];
  rows.forEach((r, k) => {
    const scale = k === 0 ? 100 : 1;
    const digits = k === 0 ? 3 : 4;
    assert.equal(r[2], (scale * a[keys[k]]).toFixed(digits), `A ${keys[k]}`);
    assert.equal(r[4], (scale * b[keys[k]]).toFixed(digits), `B ${keys[k]}`);
    const [lower, upper] = [Number(r[6]), Number(r[7])];
    assert.ok(lower < upper, `${keys[k]}: interval [${lower}, ${upper}] has width`);
    // The verdict is what the interval's sign says.
    const verdict = upper < 0 ? "demo-asnorm is better than demo: the interval excludes 0" : lower > 0 ? "demo is better than demo-asnorm: the interval excludes 0" : "no significant difference: the interval contains 0";
    assert.equal(r[8], verdict, keys[k]);
  });
  console.log(rows.map((r) => `${r[1]}: ${r[2]} → ${r[4]}, B − A ${r[5]} [${r[6]}, ${r[7]}]: ${r[8]}`).join("\n"));
  const html = await readFile(join(out, "compare.html"), "utf8");
  // The demo's utterances last 2–8 s: durations come from the dataset's manifest.
  assert.match(html, /<h3 id="condition-enroll-duration">Enrollment duration<\/h3>/);
  assert.match(html, /<tr><th scope="row">2–5 s<\/th><td>\d+<\/td>/);
});
