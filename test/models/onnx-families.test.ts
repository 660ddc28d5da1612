// `voxlab model fetch` for WeSpeaker and 3D-Speaker / sherpa-onnx ONNX speaker models, from the loopback Hub
// (test/helpers/hub.ts), with tiny generated ONNX graphs in the families' input/output conventions.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import { Command } from "commander";
import { VoxlabError } from "../../src/core/errors.ts";
import { loadEmbeddingModel, sidecarPath } from "../../src/models/embedding-model.ts";
import { fetchModel, type FetchModelOptions } from "../../src/models/hub/fetch-model.ts";
import { GraphBuilder } from "../../src/models/speechbrain/onnx-graph.ts";
import { FakeHub } from "../helpers/hub.ts";

/**
 * embedding = the first `dim` features' time means: [B,T,80] → ReduceMean → MatMul with a 0/1 selection matrix.
 * `staticDim` false leaves the output's size symbolic, as WeSpeaker's export does, so it must be probed.
 */
function tinySpeakerModel(input: string, output: string, dim: number, metadata: Record<string, string>, staticDim: boolean): Buffer {
  const g = new GraphBuilder();
  const feats = g.input({ name: input, type: "float32", dims: ["B", "T", 80] });
  const mean = g.op("ReduceMean", [feats], { axes: [1], keepdims: 0 }, "mean");
  const select = new Float32Array(80 * dim);
  for (let j = 0; j < dim; j++) select[j * dim + j] = 1;
  g.op("MatMul", [mean, g.tensor("select", select, [80, dim])], {}, "proj", output);
  const bytes = g.encode({ graphName: "tiny", outputs: [{ name: output, type: "float32", dims: ["B", staticDim ? dim : "E"] }], metadata, opset: 17, producerVersion: "test" });
  return Buffer.from(bytes);
}

const onnx = (file: string): boolean => file.endsWith(".onnx");
const oneLine = (re: RegExp) => (err: unknown) => err instanceof VoxlabError && re.test(err.message) && !err.message.includes("\n");

describe("model fetch: WeSpeaker and 3D-Speaker ONNX models", () => {
  const hub = new FakeHub();
  let work = "";
  let wespeakerCommit = "";
  const options = (extra: Partial<FetchModelOptions> = {}): FetchModelOptions => ({
    cacheDir: join(work, "cache"),
    hfCacheDir: join(work, "no-hf-cache"),
    endpoint: hub.hubUrl,
    env: { HOME: work },
    retry: { baseDelayMs: 1 },
    ...extra,
  });

  before(async () => {
    await hub.start();
    work = await mkdtemp(join(tmpdir(), "voxlab-families-"));
    // WeSpeaker's own repo: the export (feats → embs, no metadata, symbolic output size) beside other files.
    wespeakerCommit = hub.publish(
      "Wespeaker/wespeaker-voxceleb-resnet34-LM",
      new Map([
        ["voxceleb_resnet34_LM.onnx", tinySpeakerModel("feats", "embs", 32, {}, false)],
        ["voxceleb_resnet34_LM.pt", Buffer.from("not used")],
        ["README.md", Buffer.from("# ResNet34-LM\n")],
      ]),
      (f) => f.endsWith(".onnx") || f.endsWith(".pt"),
    );
    // sherpa-onnx's collection: several models, each with its `framework` metadata.
    hub.publish(
      "csukuangfj/speaker-embedding-models",
      new Map([
        ["wespeaker_en_voxceleb_resnet34_LM.onnx", tinySpeakerModel("feats", "embs", 16, { framework: "wespeaker", output_dim: "16", sample_rate: "16000" }, true)],
        ["3dspeaker_speech_campplus_sv_en_voxceleb_16k.onnx", tinySpeakerModel("x", "embedding", 24, { framework: "3d-speaker", output_dim: "24", sample_rate: "16000", feature_normalize_type: "global-mean" }, true)],
      ]),
      onnx,
    );
    hub.publish("someone/speaker-model", new Map([["model.onnx", tinySpeakerModel("feats", "embs", 8, {}, true)]]), onnx);
  });
  after(async () => {
    await hub.stop();
    await rm(work, { recursive: true, force: true });
  });
  beforeEach(() => hub.reset());

  test("WeSpeaker's repo: its one .onnx, a kaldi-wespeaker + CMN sidecar, the size probed; loads and embeds", async () => {
    const out = join(work, "out", "resnet34.onnx");
    const result = await fetchModel("Wespeaker/wespeaker-voxceleb-resnet34-LM", options({ out }));
    assert.equal(result.family, "wespeaker");
    assert.equal(result.embeddingDim, 32);
    assert.deepEqual(JSON.parse(await readFile(sidecarPath(out), "utf8")), {
      frontend: "kaldi-wespeaker", // WeSpeaker's compute_fbank: hamming window, samples × 32768
      sample_rate: 16000,
      mean_norm: "sentence", // its recipe's CMN (sherpa-onnx skips it; the recipe does not)
      embedding_dim: 32,
      source: "Wespeaker/wespeaker-voxceleb-resnet34-LM@main/voxceleb_resnet34_LM.onnx",
      commit: wespeakerCommit,
      license: "CC-BY-4.0",
      family: "wespeaker",
    });
    assert.ok((await readFile(out)).equals(hub.repos.get("Wespeaker/wespeaker-voxceleb-resnet34-LM")!.commits.get(wespeakerCommit)!.get("voxceleb_resnet34_LM.onnx")!));
    assert.ok(hub.hubLog.some((r) => r.path === "/api/models/Wespeaker/wespeaker-voxceleb-resnet34-LM/revision/main"), "the file list came from the Hub's API");
    assert.ok(!hub.hubLog.some((r) => r.path.includes(".pt")), "only the ONNX file was fetched");
    const model = await loadEmbeddingModel(out);
    assert.equal(model.info.frontend, "kaldi-wespeaker");
    // Features whose bins are 0, 1, 2, …: the time mean of bin j is j, and the model keeps bins 0..31.
    const frames = 3;
    const data = Float32Array.from({ length: frames * 80 }, (_, i) => i % 80);
    const [e] = await model.embedFeatures([{ data, frames }]);
    await model.close();
    assert.deepEqual([...e], Array.from({ length: 32 }, (_, j) => j));
  });

  test("sherpa-onnx's collection: several models need --file; the 3D-Speaker one gets kaldi-3dspeaker from its metadata", async () => {
    await assert.rejects(
      fetchModel("csukuangfj/speaker-embedding-models", options()),
      oneLine(/holds several ONNX models \(.*3dspeaker_speech_campplus_sv_en_voxceleb_16k\.onnx.*\); choose one with --file/),
    );
    const out = join(work, "out", "campplus.onnx");
    const result = await fetchModel("csukuangfj/speaker-embedding-models", options({ out, file: "3dspeaker_speech_campplus_sv_en_voxceleb_16k.onnx" }));
    assert.equal(result.family, "3d-speaker");
    const sidecar = JSON.parse(await readFile(sidecarPath(out), "utf8")) as Record<string, unknown>;
    assert.deepEqual([sidecar.frontend, sidecar.mean_norm, sidecar.embedding_dim, sidecar.license], ["kaldi-3dspeaker", "sentence", 24, "Apache-2.0"]);
    const model = await loadEmbeddingModel(out);
    assert.equal(model.info.embeddingDim, 24);
    await model.close();

    const resnet = join(work, "out", "sherpa-resnet.onnx");
    await fetchModel("csukuangfj/speaker-embedding-models", options({ out: resnet, file: "wespeaker_en_voxceleb_resnet34_LM.onnx" }));
    assert.equal((JSON.parse(await readFile(sidecarPath(resnet), "utf8")) as Record<string, unknown>).frontend, "kaldi-wespeaker");
  });

  test("an ONNX file of unknown origin needs --family; --family names it", async () => {
    await assert.rejects(fetchModel("someone/speaker-model", options({ out: join(work, "u.onnx") })), oneLine(/cannot tell which toolkit made it .*--family wespeaker or --family 3d-speaker/));
    const result = await fetchModel("someone/speaker-model", options({ out: join(work, "u.onnx"), family: "3dspeaker", license: "MIT" }));
    assert.equal(result.family, "3d-speaker");
    assert.equal((JSON.parse(await readFile(sidecarPath(join(work, "u.onnx")), "utf8")) as Record<string, unknown>).license, "MIT");
    await assert.rejects(fetchModel("someone/speaker-model", options({ family: "kaldi" })), oneLine(/unknown model family "kaldi"/));
    await assert.rejects(fetchModel("someone/speaker-model", options({ file: "../../etc/passwd" })), oneLine(/not a file name inside a repository/));
  });

  test("offline without --file: one line, no request", async () => {
    await assert.rejects(fetchModel("someone/speaker-model", options({ env: { HF_HUB_OFFLINE: "1" } })), oneLine(/HF_HUB_OFFLINE is set: name the ONNX file .* with --file/));
    assert.deepEqual([...hub.hubLog, ...hub.cdnLog], []);
  });

  test("cli: voxlab model fetch Wespeaker/... prints what it wrote", async () => {
    const { registerModelFetch } = await import("../../src/cli/commands/model-fetch.ts");
    const program = new Command().exitOverride();
    registerModelFetch(program.command("model"));
    const out = join(work, "cli", "r34.onnx");
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stdout.write;
    try {
      await program.parseAsync(["model", "fetch", "Wespeaker/wespeaker-voxceleb-resnet34-LM", "--endpoint", hub.hubUrl, "--cache-dir", join(work, "cli-cache"), "--out", out], { from: "user" });
    } finally {
      process.stdout.write = write;
    }
    assert.match(written.join(""), /^wrote .*r34\.onnx \(wespeaker model \+ .*r34\.voxlab\.json, 32-d; from Wespeaker\/wespeaker-voxceleb-resnet34-LM@main = [0-9a-f]{40}\)\n$/);
  });
});
