import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import Papa from "papaparse";
import { EmbeddingExtractor, importSpeechbrainModel } from "../../src/index.ts";
import { compareEmbedding } from "../helpers/compare.ts";
import { dataset, fixture, hasShared, needShared, repoRoot } from "../helpers/shared.ts";
import { linkLibrispeechCohort, linkSpeechCommandsTree } from "../helpers/trees.ts";

const run = promisify(execFile);
const cli = (args: string[]) => run(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: repoRoot, maxBuffer: 1 << 24 });

let work = "";
const data = () => join(work, "data");
const model = () => join(work, "c128.onnx");

before(async () => {
  work = await mkdtemp(join(tmpdir(), "voxlab-eval-"));
  if (!hasShared) return;
  await importSpeechbrainModel(fixture("speechbrain-ecapa", "c128-l96"), model(), { license: "test-only" });
  // A small VoxCeleb-style tree of real speech: 8 Speech Commands speakers × 2 sessions × 2 clips.
  await linkSpeechCommandsTree(data(), 8, 2);
});
after(() => rm(work, { recursive: true, force: true }));

const cosine = (a: Float32Array, b: Float32Array): number => compareEmbedding(a, b).cosine;

interface ScoreRow {
  enroll: string;
  test: string;
  label: number;
  score: number;
}

test("voxlab eval: generated trials, cosine scores equal the embeddings' cosines, all outputs written; a rerun embeds nothing", { skip: needShared }, async () => {
  const out = join(work, "out");
  const store = join(work, "store");
  const args = ["eval", "--data", data(), "--model", model(), "--store", store, "--out", out, "--bootstrap", "50", "--no-interactive"];
  const first = await cli(args);
  const computed = Number(/embeddings: (\d+) computed, 0 from the cache/.exec(first.stdout)?.[1]);
  for (const f of ["metrics.json", "scores.csv", "report.html", "trials.txt", "det.svg", "det.png", "scores.svg"]) {
    assert.ok((await readFile(join(out, f))).length > 0, f);
  }
  const rows = Papa.parse<ScoreRow>(await readFile(join(out, "scores.csv"), "utf8"), { header: true, dynamicTyping: true, skipEmptyLines: true }).data;
  assert.ok(rows.length > 20);
  assert.equal(computed, new Set(rows.flatMap((r) => [r.enroll, r.test])).size, "each trial utterance embedded once");
  // Labels agree with the speaker folder of each path; scores are cosines of the extractor's own embeddings.
  const extractor = await EmbeddingExtractor.load(model());
  try {
    const paths = [...new Set(rows.flatMap((r) => [r.enroll, r.test]))];
    const embeddings = await extractor.embedFiles(paths.map((p) => join(data(), "wav", p)));
    const byPath = new Map(paths.map((p, i) => [p, embeddings[i]]));
    for (const r of rows) {
      assert.equal(r.label, r.enroll.split("/")[0] === r.test.split("/")[0] ? 1 : 0);
      assert.ok(Math.abs(r.score - cosine(byPath.get(r.enroll)!, byPath.get(r.test)!)) < 1e-6, `${r.enroll} ${r.test}`);
    }
  } finally {
    await extractor.close();
  }
  // metrics.json holds the METRICS.md values of scores.csv (checked through the metrics command).
  const metrics = JSON.parse(await readFile(join(out, "metrics.json"), "utf8")) as Record<string, number>;
  const fromCsv = JSON.parse((await cli(["metrics", join(out, "scores.csv"), "--json"])).stdout) as Record<string, number>;
  for (const key of ["eer", "eer_rocch", "min_dcf_p0.01", "min_dcf_p0.05", "cllr", "min_cllr", "n_target", "n_nontarget"]) {
    assert.equal(metrics[key], fromCsv[key], key);
  }
  const html = await readFile(join(out, "report.html"), "utf8");
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href="https?:/);

  const second = await cli([...args.slice(0, -4), join(work, "out2"), "--bootstrap", "50", "--no-interactive", "--trials", join(out, "trials.txt")]);
  assert.match(second.stdout, new RegExp(`embeddings: 0 computed, ${computed} from the cache`));
  assert.equal(await readFile(join(work, "out2", "scores.csv"), "utf8"), await readFile(join(out, "scores.csv"), "utf8"));
});

test("voxlab eval: s-norm scores follow the definition on a real cohort; bad input is a one-line error", { skip: needShared }, async () => {
  // A cohort of 6 LibriSpeech speakers, linked.
  const cohortRoot = join(work, "cohort");
  await linkLibrispeechCohort(cohortRoot, 6);
  const out = join(work, "snorm");
  const res = await cli(["eval", "--data", data(), "--model", model(), "--store", join(work, "store"), "--out", out, "--cohort", cohortRoot, "--norm", "s-norm", "--bootstrap", "20", "--no-interactive"]);
  assert.match(res.stdout, /EER/);
  const report = await readFile(join(out, "report.html"), "utf8");
  assert.match(report, /s-norm/);
  // Same seed, same generated trials as the raw run of the first test: same pairs, other scores.
  const parse = async (dir: string) => Papa.parse<ScoreRow>(await readFile(join(dir, "scores.csv"), "utf8"), { header: true, dynamicTyping: true, skipEmptyLines: true }).data;
  const raw = await parse(join(work, "out"));
  const normed = await parse(out);
  assert.deepEqual(normed.map((r) => `${r.enroll} ${r.test}`), raw.map((r) => `${r.enroll} ${r.test}`));
  // s-norm recomputed here from its definition (ANCHORS.md §1.8, SpeechBrain: unbiased std over the cohort).
  const extractor = await EmbeddingExtractor.load(model());
  try {
    const cohortFiles: string[] = [];
    for (const speaker of (await readdir(cohortRoot)).sort()) {
      for (const session of await readdir(join(cohortRoot, speaker))) {
        for (const f of await readdir(join(cohortRoot, speaker, session))) cohortFiles.push(join(cohortRoot, speaker, session, f));
      }
    }
    const cohort = await extractor.embedFiles(cohortFiles);
    const stats = (e: Float32Array): [number, number] => {
      const s = cohort.map((c) => cosine(e, c));
      const mean = s.reduce((a, b) => a + b, 0) / s.length;
      return [mean, Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / (s.length - 1))];
    };
    for (const [i, r] of normed.slice(0, 4).entries()) {
      const [e, t] = await extractor.embedFiles([join(data(), "wav", r.enroll), join(data(), "wav", r.test)]);
      const [me, se] = stats(e);
      const [mt, st] = stats(t);
      const expected = 0.5 * ((raw[i].score - me) / se + (raw[i].score - mt) / st);
      assert.ok(Math.abs(r.score - expected) < 1e-4, `trial ${i}: s-norm ${r.score} vs ${expected}`);
    }
  } finally {
    await extractor.close();
  }

  const bad = join(work, "bad-trials.txt");
  await writeFile(bad, "1 nobody/x/1.wav nobody/y/2.wav\n");
  await assert.rejects(cli(["eval", "--data", data(), "--model", model(), "--store", join(work, "store"), "--out", join(work, "o3"), "--trials", bad]), (err: { code: number; stderr: string }) => {
    assert.equal(err.code, 1);
    // Progress lines may come first; the error is the one last line.
    assert.match(err.stderr, /\nvoxlab: [^\n]*nobody\/x\/1\.wav[^\n]*\n$/);
    return true;
  });
  await assert.rejects(cli(["eval", "--data", data(), "--model", model(), "--out", join(work, "o4"), "--norm", "z-norm"]), (err: { stderr: string }) => {
    assert.match(err.stderr, /^voxlab: --norm must be one of none, s-norm, as-norm, got "z-norm"\n$/);
    return true;
  });
});

test("voxlab eval: a corrupt file stops the run with one line and keeps the rest; --skip-bad drops its trials and says so", { skip: needShared }, async () => {
  const tree = join(work, "with-bad");
  const root = dataset("speech-commands", "wav");
  const speakers = (await readdir(root)).sort().slice(0, 6);
  let victim = "";
  for (const speaker of speakers) {
    for (const session of (await readdir(join(root, speaker))).sort().slice(0, 2)) {
      await mkdir(join(tree, "wav", speaker, session), { recursive: true });
      for (const utt of (await readdir(join(root, speaker, session))).sort().slice(0, 2)) {
        const target = join(tree, "wav", speaker, session, utt);
        if (!victim) {
          // A FLAC cut in half: its header promises more samples than it holds.
          const bytes = await readFile(join(root, speaker, session, utt));
          await writeFile(target, bytes.subarray(0, bytes.length >> 1));
          victim = `${speaker}/${session}/${utt}`;
        } else {
          await symlink(join(root, speaker, session, utt), target);
        }
      }
    }
  }
  const store = join(work, "store-bad");
  const args = ["eval", "--data", tree, "--model", model(), "--store", store, "--bootstrap", "20", "--no-interactive"];
  await assert.rejects(cli([...args, "--out", join(work, "bad1")]), (err: { code: number; stderr: string }) => {
    assert.equal(err.code, 1);
    const last = err.stderr.trimEnd().split("\n").at(-1)!;
    assert.ok(last.startsWith("voxlab: ") && last.includes(victim) && last.includes("--skip-bad"), last);
    return true;
  });
  const ok = await cli([...args, "--out", join(work, "bad2"), "--skip-bad"]);
  // Every good file was already embedded by the failed run: nothing is computed again.
  assert.match(ok.stdout, /embeddings: 0 computed, \d+ from the cache/);
  assert.match(ok.stdout, new RegExp(`skipped 1 unreadable files \\(\\d+ trials dropped\\):\\n  [^\\n]*${victim}`));
  const scores = await readFile(join(work, "bad2", "scores.csv"), "utf8");
  assert.ok(!scores.includes(victim));
  assert.match(await readFile(join(work, "bad2", "trials.txt"), "utf8"), new RegExp(victim));
});
