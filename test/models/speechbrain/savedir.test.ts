// `voxlab model import` on the real speechbrain/spkrec-ecapa-voxceleb file set (its own hyperparams.yaml,
// mean_var_norm_emb.ckpt and label_encoder.ckpt from ../shared, plus random full-size weights), laid out
// three ways: a plain folder, the Hugging Face cache, and SpeechBrain's savedir of links into that cache.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { VoxlabError } from "../../../src/core/errors.ts";
import { loadEmbeddingModel } from "../../../src/models/embedding-model.ts";
import { importSpeechbrainModel } from "../../../src/models/speechbrain/import.ts";
import { readOnnxMetadata } from "../../../src/models/metadata.ts";
import { mulberry32 } from "../../../src/core/random.ts";
import { SPKREC_ECAPA_VOXCELEB } from "../../../src/models/speechbrain/hyperparams.ts";
import { randomEcapaState } from "../../../src/models/speechbrain/random-weights.ts";
import { gitBlobSha1, sha256, writeHfCache } from "../../helpers/hub.ts";
import { fixture, needShared } from "../../helpers/shared.ts";
import { encodeStateDict } from "../../helpers/torch.ts";

const REPO = "speechbrain/spkrec-ecapa-voxceleb";
const COMMIT = "0f99f2d0ebe89ac095bcc5903c4dd8f72b367286"; // any 40-hex commit: the cache layout is what matters
const REAL_FILES = ["hyperparams.yaml", "mean_var_norm_emb.ckpt", "label_encoder.ckpt"];
const oneLine = (re: RegExp) => (err: unknown) => err instanceof VoxlabError && re.test(err.message) && !err.message.includes("\n");

describe("the real spkrec-ecapa-voxceleb file set", { skip: needShared }, () => {
  let work = "";
  let plain = "";
  let savedir = "";
  let snapshot = "";
  let blobs = "";
  const files = new Map<string, Buffer>();

  before(async () => {
    work = await mkdtemp(join(tmpdir(), "voxlab-savedir-"));
    for (const file of REAL_FILES) files.set(file, await readFile(fixture("speechbrain-ecapa", "spkrec-ecapa-voxceleb-files", file)));
    // Random weights of the real model's size (channels 1024…3072, attention 128, 192-d): 83 MB as torch.save writes them.
    files.set("embedding_model.ckpt", Buffer.from(encodeStateDict(randomEcapaState(SPKREC_ECAPA_VOXCELEB))));

    plain = join(work, "plain");
    await mkdir(plain);
    for (const [file, body] of files) await writeFile(join(plain, file), body);

    // huggingface_hub's layout: LFS files (the checkpoints) named by sha256, git files by their blob sha1.
    ({ blobs, snapshot } = await writeHfCache(join(work, "hf"), REPO, files, COMMIT, (f) => f.endsWith(".ckpt")));
    // SpeechBrain's savedir (EncoderClassifier.from_hparams(..., savedir=...)): absolute links to the snapshot's files.
    savedir = join(work, "pretrained_models", "spkrec-ecapa-voxceleb");
    await mkdir(savedir, { recursive: true });
    for (const file of files.keys()) await symlink(join(snapshot, file), join(savedir, file));
  });
  after(() => rm(work, { recursive: true, force: true }));

  test("a plain folder of the real files imports: 20.77 M parameters, 192-d, classifier and label encoder ignored", async () => {
    const out = join(work, "plain.onnx");
    const result = await importSpeechbrainModel(plain, out, { license: "apache-2.0" });
    assert.equal((result.parameterCount / 1e6).toFixed(2), "20.77"); // ANCHORS §1.7
    assert.deepEqual(result.hyperparams.ecapa.channels, [1024, 1024, 1024, 1024, 3072]);
    assert.equal(result.hfOrigin, undefined);
    const props = readOnnxMetadata(await readFile(out), out);
    assert.deepEqual([props.embedding_dim, props.mean_norm, props.frontend, props.source], ["192", "sentence", "speechbrain", "plain"]);
    assert.equal(props.commit, undefined);
    const model = await loadEmbeddingModel(out, { intraOpThreads: 2 });
    const random = mulberry32(7);
    const [e] = await model.embedFeatures([{ data: Float32Array.from({ length: 101 * 80 }, () => 2 * random() - 1), frames: 101 }]);
    await model.close();
    assert.equal(e.length, 192);
    assert.ok(e.every(Number.isFinite));
  });

  test("SpeechBrain's savedir (links into the HF cache): repo and commit recorded, blobs verified, nothing written there", async () => {
    const before = JSON.stringify(await readdir(join(work, "hf"), { recursive: true }));
    const out = join(work, "savedir.onnx");
    const result = await importSpeechbrainModel(savedir, out, { license: "apache-2.0" });
    assert.deepEqual(result.hfOrigin, { cache: join(work, "hf"), repoId: REPO, commit: COMMIT });
    const props = readOnnxMetadata(await readFile(out), out);
    assert.equal(props.source, REPO);
    assert.equal(props.commit, COMMIT);
    assert.equal(JSON.stringify(await readdir(join(work, "hf"), { recursive: true })), before);
  });

  test("a damaged blob, or a link left dangling by a cleaned cache, is refused in one line", async () => {
    const ckpt = files.get("embedding_model.ckpt")!;
    const blob = join(blobs, sha256(ckpt));
    const damaged = Buffer.from(ckpt);
    damaged[damaged.length >> 1] ^= 1;
    await writeFile(blob, damaged);
    try {
      await assert.rejects(importSpeechbrainModel(savedir, join(work, "x.onnx")), oneLine(/do not hash to their blob names \(a partial or damaged download\)/));
    } finally {
      await writeFile(blob, ckpt);
    }
    await rm(join(snapshot, "hyperparams.yaml"));
    try {
      await assert.rejects(importSpeechbrainModel(savedir, join(work, "x.onnx")), oneLine(/hyperparams\.yaml: a link to .*, which is missing \(was the Hugging Face cache cleaned\?\)/));
    } finally {
      await symlink(join("..", "..", "blobs", gitBlobSha1(files.get("hyperparams.yaml")!)), join(snapshot, "hyperparams.yaml"));
    }
  });
});
