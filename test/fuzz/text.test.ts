// Seeded fuzzing of the text readers: trial lists, dataset manifests, scores CSV, SpeechBrain hyperparams.yaml and
// experiment configs.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { test } from "node:test";
import { manifestToCsv, parseExperimentConfig, parseScoresCsv, parseSpeechbrainHyperparams, parseTrials, resolveExperimentConfig, TRIAL_FORMATS, type DatasetManifest, type ResolvedExperimentConfig, type ScoresTable, type SpeechbrainHyperparams, type TrialList } from "../../src/index.ts";
import { parseManifestCsv } from "../../src/datasets/index.ts";
import { describeReport, fuzz, listFailures, type FuzzSeed, type FuzzTarget } from "../helpers/fuzz.ts";
import { dataset, fixture, needShared, repoRoot, sharedDir } from "../helpers/shared.ts";

const CASES = 10_000;
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const seedsOf = (...texts: string[]): FuzzSeed[] => texts.map((text) => ({ bytes: encode(text) }));
const headLines = (text: string, n: number): string => text.split("\n").slice(0, n).join("\n") + "\n";

async function runTarget<T>(target: FuzzTarget<T>, t: { diagnostic(m: string): void }): Promise<void> {
  const report = await fuzz(target, { cases: CASES, seed: 20240808 });
  t.diagnostic(describeReport(report));
  assert.ok(report.accepted > 0 && report.distinctErrors > 5, "the mutations reach both the success and the error paths");
  assert.equal(report.failures.length, 0, listFailures(report));
}

const cleanName = (s: string): boolean => s !== "" && !/\s/.test(s);

test("fuzz: trial lists parse to well-formed trials or a one-line VoxlabError", { skip: needShared, timeout: 120_000 }, async (t) => {
  // The real VoxCeleb1-O list (first 300 lines), and the same trials in the Kaldi and CN-Celeb layouts.
  const vox = headLines(readFileSync(dataset("voxceleb1-lists", "veri_test.txt"), "utf8"), 300);
  const rows = vox.trim().split("\n").map((l) => l.split(" "));
  const kaldi = rows.map(([l, e, s]) => `${e} ${s} ${l === "1" ? "target" : "nontarget"}`).join("\r\n");
  const cnceleb = rows.map(([l, e, s]) => `${e.split("/")[0]}-enroll ${s} ${l}`).join("\n");
  const target: FuzzTarget<TrialList> = {
    name: "trials",
    seeds: seedsOf(vox, kaldi, cnceleb),
    text: true,
    run: (input) => parseTrials(decode(input), "fuzz-trials.txt"),
    check: ({ format, trials }) => {
      if (!TRIAL_FORMATS.includes(format)) return `format ${format}`;
      if (trials.length === 0) return "no trials";
      const bad = trials.find((x) => !cleanName(x.enroll) || !cleanName(x.test) || (x.label !== 0 && x.label !== 1));
      return bad ? `malformed trial ${JSON.stringify(bad)}` : undefined;
    },
  };
  await runTarget(target, t);
});

test("fuzz: manifests parse to well-formed entries or a one-line VoxlabError", { skip: needShared, timeout: 120_000 }, async (t) => {
  // Real VoxCeleb paths from the trial list, written by manifestToCsv; one path needs CSV quoting.
  const paths = [...new Set(readFileSync(dataset("voxceleb1-lists", "veri_test.txt"), "utf8").split("\n", 200).flatMap((l) => l.split(" ").slice(1)))];
  const manifest: DatasetManifest = paths.map((path, i) => {
    const [speaker, session] = path.split("/");
    return { path, speaker, session, duration: 3 + (i % 17) * 0.37 };
  });
  manifest.push({ path: 'id99999/odd, "quoted"/00001.wav', speaker: "id99999", session: 'odd, "quoted"', duration: 4.5 });
  const target: FuzzTarget<DatasetManifest> = {
    name: "manifest",
    seeds: seedsOf(manifestToCsv(manifest), manifestToCsv(manifest.slice(0, 20)).replace(/\n/g, "\r\n")),
    text: true,
    run: (input) => parseManifestCsv(decode(input), "fuzz-manifest.csv"),
    check: (entries) => {
      const bad = entries.find((e) => e.path === "" || e.speaker === "" || e.session === "" || !Number.isFinite(e.duration) || e.duration < 0);
      return bad ? `malformed entry ${JSON.stringify(bad)}` : undefined;
    },
  };
  await runTarget(target, t);
});

test("fuzz: scores CSV parses to finite scores and 0/1 labels or a one-line VoxlabError", { skip: needShared, timeout: 120_000 }, async (t) => {
  const metrics = (name: string) => readFileSync(fixture("metrics", name), "utf8");
  const target: FuzzTarget<ScoresTable> = {
    name: "scores-csv",
    seeds: seedsOf(headLines(metrics("gauss-small.csv"), 300), metrics("hand.csv"), headLines(metrics("ties.csv"), 200)),
    text: true,
    run: (input) => parseScoresCsv(decode(input), "fuzz-scores.csv"),
    check: ({ scores, labels }) => {
      if (scores.length !== labels.length) return `${scores.length} scores, ${labels.length} labels`;
      if (!scores.every(Number.isFinite)) return "a non-finite score";
      return labels.every((l) => l === 0 || l === 1) ? undefined : "a label other than 0/1";
    },
  };
  await runTarget(target, t);
});

test("fuzz: hyperparams.yaml parses to a valid ECAPA config or a one-line VoxlabError", { skip: needShared, timeout: 120_000 }, async (t) => {
  const yaml = (name: string) => readFileSync(fixture("speechbrain-ecapa", name, "hyperparams.yaml"), "utf8");
  const positive = (n: number) => Number.isInteger(n) && n > 0;
  const target: FuzzTarget<SpeechbrainHyperparams> = {
    name: "hyperparams-yaml",
    seeds: seedsOf(yaml("c256"), yaml("c128-l96")),
    text: true,
    run: (input) => parseSpeechbrainHyperparams(decode(input), "fuzz-hyperparams.yaml"),
    check: ({ ecapa, frontend }) => {
      const lists = [ecapa.channels, ecapa.kernelSizes, ecapa.dilations];
      if (!lists.every((l) => l.length === 5 && l.every(positive))) return `bad lists ${JSON.stringify(lists)}`;
      if (![ecapa.inputSize, ecapa.attentionChannels, ecapa.linNeurons, ecapa.res2netScale, ecapa.seChannels].every(positive)) {
        return `bad sizes ${JSON.stringify(ecapa)}`;
      }
      return frontend.nMels === ecapa.inputSize && positive(frontend.sampleRate) ? undefined : `bad frontend ${JSON.stringify(frontend)}`;
    },
  };
  await runTarget(target, t);
});

test("fuzz: experiment configs (YAML and JSON) load to a complete resolved config or a one-line VoxlabError", { skip: needShared, timeout: 120_000 }, async (t) => {
  // The shipped configs, resolved in a scratch copy of their surroundings (the demo dataset need not exist yet):
  // most mutations should reach resolution, not stop at "does not exist".
  const scratch = mkdtempSync(join(tmpdir(), "voxlab-fuzz-config-"));
  t.after(() => rmSync(scratch, { recursive: true, force: true }));
  const experiments = join(scratch, "experiments");
  mkdirSync(experiments);
  mkdirSync(join(scratch, "datasets", "demo"), { recursive: true });
  writeFileSync(join(scratch, "datasets", "demo", "trials.txt"), "");
  const yaml = (name: string) => readFileSync(join(repoRoot, "experiments", name), "utf8").replaceAll("../../shared/", `${sharedDir}/`);
  const json = JSON.stringify({ name: "j", seed: 7, dataset: `${sharedDir}/datasets/fsdd`, trials: { generate: { targetsPerUtterance: 2, nontargetRatio: 3, maxTrials: 50 } }, frontend: { chunkSeconds: 3 }, scoring: { norm: "s-norm", cohort: "../datasets/demo", topK: 10 }, outputs: { interactive: false, bootstrapIterations: 5 } }, null, 2);
  const positiveInt = (n: number) => Number.isInteger(n) && n > 0;
  const target: FuzzTarget<ResolvedExperimentConfig> = {
    name: "experiment-config",
    seeds: [...seedsOf(yaml("demo.yaml"), yaml("demo-asnorm.yaml"), json)],
    text: true,
    // As `voxlab run` reads a config in experiments/: parsed, validated, then resolved against its folder.
    run: (input) => resolveExperimentConfig(parseExperimentConfig(decode(input), "fuzz.yaml"), experiments, "fuzz.yaml", "fuzz"),
    check: (c) => {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(c.name)) return `bad name ${JSON.stringify(c.name)}`;
      if (!(Number.isInteger(c.seed) && c.seed >= 0 && c.seed <= 0xffffffff)) return `bad seed ${c.seed}`;
      const paths = [c.dataset, c.model, c.enrollMap, c.scoring.cohort, "file" in c.trials ? c.trials.file : null].filter((p): p is string => p !== null);
      if (!paths.every(isAbsolute)) return `relative path in ${JSON.stringify(paths)}`;
      if (!["none", "s-norm", "as-norm"].includes(c.scoring.norm) || !positiveInt(c.scoring.topK)) return `bad scoring ${JSON.stringify(c.scoring)}`;
      if (!positiveInt(c.outputs.bootstrapIterations) || typeof c.outputs.interactive !== "boolean") return `bad outputs ${JSON.stringify(c.outputs)}`;
      if (c.frontend.chunkSeconds !== null && !(c.frontend.chunkSeconds > 0)) return `bad chunk ${c.frontend.chunkSeconds}`;
      return undefined;
    },
  };
  await runTarget(target, t);
});
