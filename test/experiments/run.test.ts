import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { importSpeechbrainModel, loadExperimentConfig, scanDataset } from "../../src/index.ts";
import { manifestHash } from "../../src/datasets/index.ts";
import { fixture, hasShared, needShared, repoRoot } from "../helpers/shared.ts";
import { linkLibrispeechCohort, linkSpeechCommandsTree } from "../helpers/trees.ts";

const exec = promisify(execFile);
const CLI = ["--import", "tsx", "src/cli/main.ts"];
const cli = (args: string[]) => exec(process.execPath, [...CLI, ...args], { cwd: repoRoot, maxBuffer: 1 << 24 });

let work = "";
const data = () => join(work, "data");
const cohort = () => join(work, "cohort");
const model = () => join(work, "c128.onnx");
const store = () => join(work, "store");
const results = () => join(work, "results");

const sha256 = async (path: string) => createHash("sha256").update(await readFile(path)).digest("hex");
const readJson = async <T>(path: string): Promise<T> => JSON.parse(await readFile(path, "utf8")) as T;

/** 4 Speech Commands speakers × 2 sessions × 2 clips, and a LibriSpeech cohort. */
async function buildTree(): Promise<void> {
  await linkSpeechCommandsTree(data(), 4, 2);
  // A cohort of 6 LibriSpeech speakers (one chapter each) for s-norm.
  await linkLibrispeechCohort(cohort(), 6);
}

/** A config beside the data, with paths relative to its own folder. */
const BASE_CONFIG = `name: tiny
seed: 7
dataset: data
model: c128.onnx
trials:
  generate: { targetsPerUtterance: 2, nontargetRatio: 2 }
outputs: { interactive: false, bootstrapIterations: 20 }
`;

before(async () => {
  work = await mkdtemp(join(tmpdir(), "voxlab-run-"));
  await mkdir(data());
  if (!hasShared) return;
  await importSpeechbrainModel(fixture("speechbrain-ecapa", "c128-l96"), model(), { license: "test-only" });
  await buildTree();
  await writeFile(join(work, "tiny.yaml"), BASE_CONFIG);
  await writeFile(join(work, "tiny-snorm.yaml"), BASE_CONFIG.replace("name: tiny", "name: tiny-snorm") + "scoring: { norm: s-norm, cohort: cohort }\n");
});
after(() => rm(work, { recursive: true, force: true }));

test("config validation: each bad config is one line naming the file and the field path", async () => {
  const cases: [string, string][] = [
    ["dataset: data\nscoring:\n  norm: z-norm\n", 'scoring.norm: expected one of none|s-norm|as-norm, got "z-norm"'],
    ["dataset: data\nscoring:\n  topk: 5\n", "scoring.topk: unknown key (expected one of norm|cohort|topK)"],
    ["dataset: data\nmodles: m.onnx\n", "modles: unknown key (expected one of name|seed|dataset|trials|enrollMap|model|frontend|scoring|outputs|calibration)"],
    ["name: x\n", "dataset: required"],
    ["dataset: data\nseed: 1.5\n", "seed: expected an integer, got 1.5"],
    ["dataset: data\ntrials:\n  generate:\n    maxTrials: 0\n", "trials.generate.maxTrials: must be >= 1, got 0"],
    ["dataset: data\ntrials: 5\n", "trials: expected a trial-list file or a mapping with file or generate, got 5"],
    ["dataset: data\nscoring: { norm: as-norm }\n", "scoring.cohort: required when scoring.norm is as-norm"],
    ["dataset: data\noutputs: { interactive: yes }\n", 'outputs.interactive: expected true or false, got "yes"'],
    ["dataset: data\nfrontend: { chunkSeconds: -2 }\n", "frontend.chunkSeconds: must be > 0, got -2"],
    ["dataset: nowhere\n", `dataset: ${join(work, "nowhere")} does not exist`],
    ["dataset: data\ncalibration: none.json\n", `calibration: ${join(work, "none.json")} does not exist`],
    ["dataset: data\ncalibration: data\n", `calibration: ${join(work, "data", "calib.json")} does not exist`],
    ["dataset: [data\n", "invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1"],
    ["", "the config is empty (it needs at least dataset)"],
  ];
  for (const [i, [text, message]] of cases.entries()) {
    const file = join(work, `bad-${i}.yaml`);
    await writeFile(file, text);
    await assert.rejects(loadExperimentConfig(file), { name: "VoxlabError", message: `${file}: ${message}` });
  }
  const json = join(work, "bad.json");
  await writeFile(json, JSON.stringify({ dataset: "data", outputs: { bootstrapIterations: "many" } }));
  await assert.rejects(loadExperimentConfig(json), { message: `${json}: outputs.bootstrapIterations: expected a number, got "many"` });

  // Through the CLI: the same line after "voxlab: ", exit status 1, nothing else on stderr.
  await assert.rejects(cli(["run", join(work, "bad-0.yaml"), "--out", results()]), (err: { code: number; stderr: string }) => {
    assert.equal(err.code, 1);
    assert.equal(err.stderr, `voxlab: ${join(work, "bad-0.yaml")}: ${cases[0][1]}\n`);
    return true;
  });
});

test("config resolution: paths from the config's folder, every default filled, and the resolved config resolves to itself", { skip: needShared }, async () => {
  const resolved = await loadExperimentConfig(join(work, "tiny-snorm.yaml"));
  assert.deepEqual(resolved, {
    name: "tiny-snorm",
    seed: 7,
    dataset: data(),
    trials: { generate: { seed: 7, targetsPerUtterance: 2, nontargetRatio: 2, maxTrials: null } },
    enrollMap: null,
    model: model(),
    frontend: { chunkSeconds: null },
    scoring: { norm: "s-norm", cohort: cohort(), topK: 200 },
    outputs: { interactive: false, bootstrapIterations: 20 },
  });
  const again = join(work, "resolved.json");
  await writeFile(again, JSON.stringify(resolved));
  assert.deepEqual(await loadExperimentConfig(again), resolved);
});

interface Provenance {
  voxlab: { git: { commit: string; dirty: boolean } | null };
  model: { sha256: string };
  dataset: { manifestHash: string; utterances: number };
  cohort: { manifestHash: string } | null;
  trials: { sha256: string; generated: boolean; count: number };
  packages: Record<string, string | null>;
  seed: number;
  startedAt: string;
  finishedAt: string;
  host: { cores: number };
}

const RUN_ID = /^\d{8}T\d{6}Z-[0-9a-f]{8}(-\d+)?$/;

/** The finished run folders of an experiment (names), oldest first. */
async function runsOf(experiment: string): Promise<string[]> {
  return (await readdir(join(results(), experiment))).sort();
}

test("voxlab run: a complete run folder with provenance; a second run reproduces scores and metrics; runs compare", { skip: needShared }, async () => {
  const args = (config: string) => ["run", join(work, config), "--out", results(), "--store", store()];
  await cli(args("tiny.yaml"));
  const [id] = await runsOf("tiny");
  assert.match(id, RUN_ID);
  const dir = join(results(), "tiny", id);
  for (const f of ["config.resolved.json", "provenance.json", "scores.csv", "metrics.json", "report.html", "trials.txt", "det.svg", "det.png"]) {
    assert.ok(existsSync(join(dir, f)), f);
  }

  const provenance = await readJson<Provenance>(join(dir, "provenance.json"));
  assert.equal(provenance.model.sha256, await sha256(model()));
  const manifest = await scanDataset(data());
  assert.equal(manifest.length, 16);
  assert.equal(provenance.dataset.manifestHash, manifestHash(manifest));
  assert.equal(provenance.dataset.utterances, 16);
  assert.equal(provenance.cohort, null);
  assert.equal(provenance.trials.sha256, await sha256(join(dir, "trials.txt")));
  assert.equal(provenance.trials.generated, true);
  assert.equal(provenance.trials.count, (await readFile(join(dir, "trials.txt"), "utf8")).trim().split("\n").length);
  assert.equal(provenance.seed, 7);
  assert.equal(provenance.packages.node, process.version);
  assert.equal(provenance.packages["onnxruntime-node"], (await readJson<{ version: string }>(join(repoRoot, "node_modules", "onnxruntime-node", "package.json"))).version);
  assert.equal(provenance.packages.voxlab, (await readJson<{ version: string }>(join(repoRoot, "package.json"))).version);
  const head = await exec("git", ["-C", repoRoot, "rev-parse", "HEAD"]).then((r) => r.stdout.trim(), () => null);
  assert.equal(provenance.voxlab.git?.commit ?? null, head);
  assert.ok(Date.parse(provenance.startedAt) <= Date.parse(provenance.finishedAt));
  assert.ok(provenance.host.cores >= 1);
  const resolved = await readJson<{ dataset: string; model: string }>(join(dir, "config.resolved.json"));
  assert.equal(resolved.dataset, data());
  assert.equal(resolved.model, model());

  // Same config again: a new folder with the same config hash, the same scores byte for byte, the same metrics.
  await cli(args("tiny.yaml"));
  const ids = await runsOf("tiny");
  assert.equal(ids.length, 2);
  const second = join(results(), "tiny", ids[1]);
  assert.equal(ids[1].split("-")[1], id.split("-")[1]);
  assert.equal(await readFile(join(second, "scores.csv"), "utf8"), await readFile(join(dir, "scores.csv"), "utf8"));
  assert.equal(await readFile(join(second, "metrics.json"), "utf8"), await readFile(join(dir, "metrics.json"), "utf8"));

  // s-norm on the same trials, then the two scorings compared.
  await cli(args("tiny-snorm.yaml"));
  const [snormId] = await runsOf("tiny-snorm");
  const snorm = join(results(), "tiny-snorm", snormId);
  const snormProvenance = await readJson<Provenance>(join(snorm, "provenance.json"));
  assert.equal(snormProvenance.cohort?.manifestHash, manifestHash(await scanDataset(cohort())));
  assert.equal(await readFile(join(snorm, "trials.txt"), "utf8"), await readFile(join(dir, "trials.txt"), "utf8"));

  const out = join(work, "compare");
  const { stdout } = await cli(["compare", dir, snorm, "--out", out]);
  const rows = stdout.split("\n").filter((l) => l.startsWith("| tiny") && !l.startsWith("| tiny-snorm vs tiny |"));
  assert.equal(rows.length, 2);
  // Same trial list: the paired speaker-bootstrap differences follow, one row per metric.
  assert.equal(stdout.split("\n").filter((l) => l.startsWith("| tiny-snorm vs tiny |")).length, 5);
  for (const [i, runDir] of [dir, snorm].entries()) {
    const cells = rows[i].split(" | ");
    const metrics = await readJson<{ eer: number; n_target: number; n_nontarget: number }>(join(runDir, "metrics.json"));
    assert.equal(cells[0], `| ${i === 0 ? `tiny/${id}` : `tiny-snorm/${snormId}`}`);
    assert.equal(cells[1], i === 0 ? "cosine" : "s-norm");
    assert.equal(Number(cells[2]), metrics.n_target + metrics.n_nontarget);
    assert.equal(cells[3], (100 * metrics.eer).toFixed(3));
  }
  const svg = await readFile(join(out, "det-compare.svg"), "utf8");
  // Vega draws each curve of the colour-split line layer as its own line mark with one path.
  assert.equal([...svg.matchAll(/<g class="mark-line role-mark layer_1_marks"[^>]*>\s*<path/g)].length, 2);
  // Legend: each experiment's name with its EER.
  for (const [name, runDir] of [["tiny", dir], ["tiny-snorm", snorm]]) {
    const { eer } = await readJson<{ eer: number }>(join(runDir, "metrics.json"));
    assert.ok(svg.includes(`${name} (EER ${Number((100 * eer).toPrecision(4))} %)`), name);
  }
  const png = await readFile(join(out, "det-compare.png"));
  assert.equal(png.subarray(1, 4).toString("latin1"), "PNG");
  const html = await readFile(join(out, "compare.html"), "utf8");
  assert.ok(html.includes(`<td>tiny-snorm/${snormId}</td>`));
  assert.doesNotMatch(html, /<script|<link|https?:\/\/(?!www\.w3\.org)/);
});

test("voxlab run: a run killed before it finishes leaves only <run-id>.partial, which compare refuses", { skip: needShared }, async () => {
  const resultsDir = join(work, "killed");
  const child = spawn(process.execPath, [...CLI, "run", join(work, "tiny-snorm.yaml"), "--out", resultsDir, "--store", join(work, "store-killed")], { cwd: repoRoot, stdio: "ignore" });
  const exited = new Promise((done) => child.on("exit", done));
  const experimentDir = join(resultsDir, "tiny-snorm");
  let found: string | undefined;
  while (found === undefined) {
    await new Promise((r) => setTimeout(r, 20));
    found = existsSync(experimentDir) ? (await readdir(experimentDir)).find((f) => f.endsWith(".partial")) : undefined;
  }
  const partial = found;
  child.kill("SIGKILL");
  await exited;
  assert.deepEqual(await readdir(experimentDir), [partial]);
  await assert.rejects(cli(["compare", join(experimentDir, partial), "--out", join(work, "c2")]), (err: { code: number; stderr: string }) => {
    assert.equal(err.stderr, `voxlab: ${join(experimentDir, partial)}: an unfinished run (killed or still running), not a complete run\n`);
    return true;
  });
});
