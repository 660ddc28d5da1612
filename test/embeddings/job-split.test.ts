import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { hashFile } from "../../src/core/hash.ts";
import { EmbeddingStore, importSpeechbrainModel, parseShard, readNpy, shardFromEnvironment } from "../../src/index.ts";
import { selectShard } from "../../src/embeddings/job-split.ts";
import { dataset, fixture, hasShared, needShared, repoRoot } from "../helpers/shared.ts";

const run = promisify(execFile);
const cliArgs = (args: string[]) => ["--import", "tsx", "src/cli/main.ts", ...args];
// The defaults throughout: one utterance per ONNX run is what makes shards agree with one run bit for bit.
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => run(process.execPath, cliArgs(args), { cwd: repoRoot, env: { ...process.env, ...env } });

let work = "";
let files: string[] = [];
const model = () => join(work, "c128.onnx");
const list = () => join(work, "files.txt");

before(async () => {
  work = await mkdtemp(join(tmpdir(), "voxlab-shards-"));
  if (!hasShared) return;
  await importSpeechbrainModel(fixture("speechbrain-ecapa", "c128-l96"), model(), { license: "test-only" });
  const root = dataset("speech-commands", "wav");
  for (const speaker of (await readdir(root)).sort().slice(0, 12)) {
    for (const session of (await readdir(join(root, speaker))).sort()) {
      for (const utt of (await readdir(join(root, speaker, session))).sort()) files.push(join(root, speaker, session, utt));
    }
  }
  files = files.slice(0, 45);
  await writeFile(list(), `# 45 Speech Commands clips\n${files.join("\n")}\n`);
});
after(() => rm(work, { recursive: true, force: true }));

test("shards: parsing, environment (Slurm, Kubernetes) and round-robin selection", () => {
  assert.deepEqual(parseShard("2/3"), { index: 2, count: 3 });
  assert.throws(() => parseShard("3/3"), /--shard must be i\/N with 0 <= i < N, got "3\/3"/);
  assert.deepEqual(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "5", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_COUNT: "8" }), { index: 4, count: 8 });
  assert.deepEqual(shardFromEnvironment({ JOB_COMPLETION_INDEX: "0" }, 4), { index: 0, count: 4 });
  assert.throws(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: "0" }), /pass --shards <N>/);
  assert.equal(shardFromEnvironment({}), undefined);
  const items = [0, 1, 2, 3, 4, 5, 6];
  const parts = [0, 1, 2].map((index) => selectShard(items, { index, count: 3 }));
  assert.deepEqual(parts, [[0, 3, 6], [1, 4], [2, 5]]);
});

test("voxlab embed --shard: 3 shard processes at once, merged, equal one unsharded run bit for bit; a shard killed mid-run reruns to completion", { skip: needShared }, async () => {
  // The reference: one unsharded run straight to .npy, no store.
  const whole = join(work, "whole.npy");
  await cli(["embed", "--model", model(), "--list", list(), "--out", whole]);
  const reference = await readNpy(whole);
  const dim = reference.shape[1];

  // Shard 1 is killed mid-way first (small flushes are not exposed on the CLI, so kill after it has started
  // embedding); its rerun must finish the set. Shards 0 and 2 run at the same time as the rerun.
  const stores = [0, 1, 2].map((i) => join(work, `store-${i}`));
  const killed = spawn(process.execPath, cliArgs(["embed", "--model", model(), "--list", list(), "--shard", "1/3", "--store", stores[1]]), { cwd: repoRoot });
  const exited = new Promise((r) => killed.once("exit", r));
  await new Promise((r) => setTimeout(r, 2500));
  killed.kill("SIGKILL"); // a no-op if it already finished
  await exited;
  const outputs = await Promise.all([
    cli(["embed", "--model", model(), "--list", list(), "--store", stores[0]], { SLURM_ARRAY_TASK_ID: "0", SLURM_ARRAY_TASK_COUNT: "3" }),
    cli(["embed", "--model", model(), "--list", list(), "--shard", "1/3", "--store", stores[1]]),
    cli(["embed", "--model", model(), "--list", list(), "--shards", "3", "--store", stores[2]], { JOB_COMPLETION_INDEX: "2" }),
  ]);
  assert.match(outputs[0].stdout, /shard 0\/3: 15 of 45 files/);
  assert.match(outputs[2].stdout, /shard 2\/3: 15 of 45 files/);

  const merged = join(work, "merged");
  const merge = await cli(["store", "merge", ...stores, "--into", merged]);
  assert.match(merge.stdout, /merged \d+ embeddings/);
  const store = await EmbeddingStore.open(merged, model());
  assert.equal(store.size, new Set(await Promise.all(files.map(hashFile))).size);
  for (const [i, file] of files.entries()) {
    const e = store.get(await hashFile(file));
    assert.ok(e, `${file} missing after the merge`);
    assert.deepEqual(Array.from(e), Array.from(reference.data.subarray(i * dim, (i + 1) * dim)), file);
  }
});

test("voxlab embed: --out with --shard, a missing list and no output are one-line errors", { skip: needShared }, async () => {
  const fails = async (args: string[], pattern: RegExp) =>
    assert.rejects(cli(args), (err: { code: number; stderr: string }) => {
      assert.equal(err.code, 1);
      assert.match(err.stderr, pattern);
      return true;
    });
  await fails(["embed", "--model", model(), "--list", list(), "--shard", "0/2", "--out", join(work, "x.npy")], /^voxlab: --out writes the whole list/);
  await fails(["embed", "--model", model(), "--list", join(work, "nope.txt"), "--store", work], /^voxlab: .*nope\.txt: cannot read the file list \(ENOENT\)\n$/);
  await fails(["embed", "--model", model(), files[0]], /^voxlab: pass --out <file\.npy>, --store <dir>, or both\n$/);
});
