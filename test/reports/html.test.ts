import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { mulberry32 } from "../../src/core/random.ts";
import { computeMetrics, groupTrials } from "../../src/metrics/index.ts";
import { renderReportHtml, ruleOf30Warning, thresholdTable, writeReport, type ReportInput } from "../../src/reports/index.ts";

const CHROMIUM = "/usr/bin/chromium";
const needChromium: string | false = existsSync(CHROMIUM) ? false : `${CHROMIUM} not found (apt-get install chromium); browser check skipped`;

function synthetic(nTarget: number, nNontarget: number, seed = 1): { scores: Float64Array; labels: Uint8Array } {
  const random = mulberry32(seed);
  const n = nTarget + nNontarget;
  const scores = new Float64Array(n);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i < nTarget ? 1 : 0;
    // Scores on a 0.01 grid so that ties occur.
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    scores[i] = Math.round((z + (labels[i] ? 2 : 0)) * 100) / 100;
  }
  return { scores, labels };
}

function input(nTarget: number, nNontarget: number, extra: Partial<ReportInput> = {}): ReportInput {
  const { scores, labels } = synthetic(nTarget, nNontarget);
  return { title: "test run", scores, labels, metrics: computeMetrics(scores, labels), bootstrap: { iterations: 20 }, ...extra };
}

test("threshold table: confusion counts and rates match a brute-force loop over the trials", () => {
  const run = input(300, 3000);
  const groups = groupTrials(run.scores, run.labels);
  const rows = thresholdTable(groups, run.metrics, { farTargets: [0.01, 0.001], frrTargets: [0.01, 0.05] });
  assert.equal(rows.length, 7);
  for (const row of rows) {
    const c = { tp: 0, fn: 0, fp: 0, tn: 0 };
    for (let i = 0; i < run.scores.length; i++) {
      const accept = run.scores[i] >= row.threshold;
      if (run.labels[i] === 1 && accept) c.tp++;
      else if (run.labels[i] === 1) c.fn++;
      else if (accept) c.fp++;
      else c.tn++;
    }
    assert.deepEqual(row.counts, c, row.name);
    assert.equal(row.far, c.fp / 3000);
    assert.equal(row.frr, c.fn / 300);
  }
  // FAR/FRR rows honour their targets; minDCF rows sit at the metric's thresholds.
  assert.ok(rows[3].far <= 0.01 && rows[4].far <= 0.001 && rows[5].frr <= 0.01 && rows[6].frr <= 0.05);
  assert.equal(rows[1].threshold, run.metrics["min_dcf_p0.01_threshold"]);
});

test("rule of 30: a warning exactly when trials × rate < 30", () => {
  assert.equal(ruleOf30Warning(3000, 0.01, "non-target"), undefined); // 30 errors: enough
  assert.match(ruleOf30Warning(2999, 0.01, "non-target") ?? "", /rule of 30 needs at least 3000/);
  assert.match(ruleOf30Warning(3000, 0.001, "non-target") ?? "", /3 expected errors/);
  assert.equal(ruleOf30Warning(300, 0.1, "target"), undefined);

  const run = input(300, 3000);
  const rows = thresholdTable(groupTrials(run.scores, run.labels), run.metrics, { farTargets: [0.01, 0.001], frrTargets: [0.1, 0.05] });
  const warned = rows.filter((r) => r.warning !== undefined).map((r) => r.name);
  // 3000 × 0.1 % = 3 < 30; 300 × 5 % = 15 < 30; the EER (~16 %) gives 300 × 0.16 ≈ 48 ≥ 30.
  assert.deepEqual(warned, ["FAR ≤ 0.1 %", "FRR ≤ 5 %"]);
});

test("report.html: self-contained, escaped, metrics and thresholds shown", async () => {
  const evil = `<img src=x onerror="alert(1)">`;
  const run = input(200, 2000, {
    title: `run <script>alert(1)</script>`,
    info: { dataset: `vox & ${evil}`, model: "ecapa.onnx" },
    date: new Date("2024-05-01T12:00:00Z"),
    farTargets: [0.01, 0.001],
  });
  run.trials = Array.from(run.scores, (_, i) => ({ enroll: `e${i}/${evil}.wav`, test: `t${i}.wav`, enrollSpeaker: `spk${i % 5}` }));
  for (const interactive of [false, true]) {
    const html = await renderReportHtml({ ...run, interactive });
    // Outside the inline scripts, nothing loads from anywhere: no src/href attributes on resource tags at all.
    const markup = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, "<script></script>");
    assert.doesNotMatch(markup, /<(script|link|img|iframe|object|embed)\b[^>]*\s(src|href)\s*=/i);
    assert.doesNotMatch(html, /<script[^>]*\ssrc=|<link[^>]*\shref=/i);
    assert.doesNotMatch(markup, /url\(\s*['"]?https?:/i);
    // Escaping: the injected markup appears only as text.
    assert.ok(!html.includes("<script>alert(1)") && !html.includes(evil));
    assert.ok(html.includes("run &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert.ok(html.includes("vox &amp; &lt;img src=x onerror=&quot;alert(1)&quot;&gt;"));
    assert.ok(html.includes("2024-05-01T12:00:00.000Z"));
    for (const label of ["EER", "minDCF (P_target = 0.01)", "minDCF (P_target = 0.05)", "Cllr", "minCllr", "ROCCH-EER", "95 % bootstrap CI"]) assert.ok(html.includes(label), label);
    assert.ok(html.includes(`${(run.metrics.eer * 100).toFixed(3)} %`));
    assert.equal((html.match(/<svg\b/g) ?? []).length >= 5, true);
    // 2000 non-targets × 1 % = 20 and × 0.1 % = 2, 200 targets × 1 % (FRR) = 2: all under 30; the EER row
    // only if 200 × EER < 30.
    const eerWarned = 200 * run.metrics.eer < 30 ? 1 : 0;
    assert.equal((html.match(/class="warned"/g) ?? []).length, 3 + eerWarned);
    assert.equal(/<script>/.test(markup), interactive);
  }
});

/** Trials over 4 speakers × 2 sessions with known durations: speaker k enrolls with k+1 seconds (1 s … 4 s). */
function describedRun(): ReportInput {
  const run = input(40, 400);
  const speakers = ["s1", "s2", "s3", "s4"];
  run.trials = Array.from(run.scores, (_, i) => {
    const spk = speakers[i % 4];
    const target = run.labels[i] === 1;
    return {
      enroll: `${spk}/a/${i}.wav`,
      test: target ? `${spk}/${i % 3 === 0 ? "a" : "b"}/t${i}.wav` : `x/b/n${i}.wav`,
      enrollSpeaker: spk,
      enrollSession: "a",
      testSession: target && i % 3 === 0 ? "a" : "b",
      enrollDuration: (i % 4) + 1,
      testDuration: 6,
      enrollAudio: `../wav/${spk}/a/${i}.wav`,
      testAudio: `../wav/odd #name?/%20 & "q"/${i}.wav`,
    };
  });
  return run;
}

test("report.html: condition breakdowns hold the counts and EERs of each subset; hardest trials play their audio", async () => {
  const run = describedRun();
  const trials = run.trials ?? [];
  const html = await renderReportHtml({ ...run, interactive: false });
  for (const id of ["enroll-duration", "test-duration", "session", "speaker"]) assert.ok(html.includes(`id="condition-${id}"`), id);
  for (const id of ["enroll-duration", "test-duration", "session", "speaker"]) assert.ok(html.includes(`<figure id="fig-det-${id}"><svg`), `DET ${id}`);
  const row = (name: string) => {
    const match = new RegExp(`<tr><th scope="row">${name}</th><td>(\\d+)</td><td>(\\d+)</td><td>([^<]+)</td>`).exec(html);
    assert.ok(match, name);
    return { targets: Number(match[1]), nontargets: Number(match[2]), eer: match[3] };
  };
  // Enrollment durations 1 s → "< 2 s"; 2, 3, 4 s → "2–5 s"; tests all 6 s → "> 5 s" holds every trial.
  const count = (pick: (i: number) => boolean, label: number) => trials.filter((_, i) => pick(i) && run.labels[i] === label).length;
  assert.deepEqual(row("&lt; 2 s"), { targets: count((i) => i % 4 === 0, 1), nontargets: count((i) => i % 4 === 0, 0), eer: row("&lt; 2 s").eer });
  assert.equal(row("2–5 s").targets, count((i) => i % 4 !== 0, 1));
  assert.deepEqual(row("&gt; 5 s"), { targets: 40, nontargets: 400, eer: `${(run.metrics.eer * 100).toFixed(2)} %` });
  // Same session: targets with i % 3 = 0, and all 400 non-targets.
  assert.deepEqual(row("same session").targets, count((i) => i % 3 === 0, 1));
  assert.equal(row("same session").nontargets, 400);
  // Speaker s1's EER: computed here by brute force over its trials' thresholds (the interpolated EER).
  const s1 = trials.map((_, i) => i).filter((i) => i % 4 === 0);
  const tar = s1.filter((i) => run.labels[i] === 1).map((i) => run.scores[i]);
  const non = s1.filter((i) => run.labels[i] === 0).map((i) => run.scores[i]);
  const points = [...new Set([...tar, ...non])].sort((a, b) => a - b).map((t) => [tar.filter((s) => s < t).length / tar.length, non.filter((s) => s >= t).length / non.length]);
  points.push([1, 0]);
  const k = points.findIndex(([pm, pf]) => pm - pf >= 0);
  const [pm0, pf0] = points[k - 1];
  const [pm1, pf1] = points[k];
  const expected = pm1 === pf1 ? pm1 : pm0 + ((pf0 - pm0) / (pm1 - pf1 - (pm0 - pf0))) * (pm1 - pm0);
  assert.equal(row("s1").eer, `${(expected * 100).toFixed(2)} %`);

  // Audio: each side of the hardest trials, relative paths with every segment URL-encoded, nothing unescaped.
  const players = [...html.matchAll(/<audio controls preload="none" src="([^"]*)"><\/audio>/g)].map((m) => m[1]);
  assert.equal(players.length, 40);
  const odd = players.find((p) => p.startsWith("../wav/odd")) ?? "";
  assert.match(odd, /^\.\.\/wav\/odd%20%23name%3F\/%2520%20%26%20%22q%22\/\d+\.wav$/);
  assert.ok(!html.includes('"q"/'), "no raw quote inside an attribute");
});

test("writeReport writes report.html and each figure as SVG and PNG", async () => {
  const dir = await mkdtemp(join(tmpdir(), "voxlab-report-"));
  try {
    const written = await writeReport(dir, input(100, 1000, { interactive: false }));
    assert.equal(written.report, join(dir, "report.html"));
    assert.ok((await readFile(written.report, "utf8")).startsWith("<!DOCTYPE html>"));
    assert.ok(written.figures.some((f) => f.endsWith("det.svg")) && written.figures.some((f) => f.endsWith("det.png")));
    const png = await readFile(join(dir, "det.png"));
    assert.equal(png.subarray(1, 4).toString("latin1"), "PNG");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("report.html renders in headless Chromium: plotly draws every interactive figure, conditions and audio players show, no script errors", { skip: needChromium, timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "voxlab-report-"));
  try {
    const { report } = await writeReport(dir, describedRun());
    const { stdout, stderr } = await promisify(execFile)(
      CHROMIUM,
      ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000", "--dump-dom", `file://${report}`],
      { maxBuffer: 64 * 1024 * 1024, timeout: 90_000 },
    );
    const consoleErrors = stderr.split("\n").filter((line) => /:CONSOLE/.test(line) && /error|uncaught/i.test(line));
    assert.deepEqual(consoleErrors, []);
    // Each plotly div ends up holding plotly's own SVG (class main-svg) instead of the static figure.
    const divs = [...stdout.matchAll(/<div class="plotly[^"]*"[^>]*data-figure="(\d+)"/g)];
    assert.equal(divs.length, 3);
    assert.ok((stdout.match(/class="main-svg"/g) ?? []).length >= 3);
    // The condition breakdowns keep their static DETs (vega SVG marks), one per breakdown.
    const conditions = stdout.slice(stdout.indexOf('<section id="conditions">'));
    assert.ok(conditions.length > 0 && conditions.includes("<h2>Conditions</h2>"));
    for (const id of ["enroll-duration", "test-duration", "session", "speaker"]) assert.match(conditions, new RegExp(`<figure id="fig-det-${id}"><svg[^]*?role-mark`), id);
    assert.equal((stdout.match(/<audio controls="" preload="none" src="\.\.\/wav\//g) ?? []).length, 40);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
