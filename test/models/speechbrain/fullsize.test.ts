import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { buildEcapaOnnx, ecapaParameterShapes } from "../../../src/models/speechbrain/ecapa-onnx.ts";
import { loadEmbeddingModel } from "../../../src/models/embedding-model.ts";
import { voxlabMetadata } from "../../../src/models/metadata.ts";
import { mulberry32 } from "../../../src/core/random.ts";
import { SPKREC_ECAPA_VOXCELEB } from "../../../src/models/speechbrain/hyperparams.ts";
import { randomEcapaState } from "../../../src/models/speechbrain/random-weights.ts";

test("full-size ECAPA (C=1024, MFA 3072): 20.77 M parameters, imports and embeds 3 s", async (t) => {
  const shapes = ecapaParameterShapes(SPKREC_ECAPA_VOXCELEB);
  assert.equal(shapes.size, 231); // ANCHORS §1.6
  let params = 0;
  for (const [key, shape] of shapes) if (!/(running_mean|running_var|num_batches_tracked)$/.test(key)) params += shape.reduce((a, b) => a * b, 1);
  assert.equal((params / 1e6).toFixed(2), "20.77"); // ANCHORS §1.7 (learnable parameters; BN statistics are buffers)

  const state = randomEcapaState(SPKREC_ECAPA_VOXCELEB);
  const started = performance.now();
  const bytes = buildEcapaOnnx(SPKREC_ECAPA_VOXCELEB, state, voxlabMetadata({ frontend: "speechbrain", sampleRate: 16000, meanNorm: "sentence", source: "random", license: "none" }));
  const buildSeconds = (performance.now() - started) / 1000;
  const dir = await mkdtemp(join(tmpdir(), "voxlab-full-"));
  try {
    const path = join(dir, "full.onnx");
    await writeFile(path, bytes);
    const model = await loadEmbeddingModel(path, { intraOpThreads: 2 });
    const random = mulberry32(99);
    const frames = 301; // 3 s at a 10 ms hop
    const a = { data: Float32Array.from({ length: frames * 80 }, () => 3 * (2 * random() - 1)), frames };
    const b = { data: a.data.slice(0, 150 * 80), frames: 150 };
    const runStarted = performance.now();
    const [ea, eb] = await model.embedFeatures([a, b]);
    const runSeconds = (performance.now() - runStarted) / 1000;
    const [ebAlone] = await model.embedFeatures([b]);
    await model.close();
    assert.equal(ea.length, 192);
    assert.ok(ea.every(Number.isFinite) && eb.every(Number.isFinite));
    const scale = Math.max(...ebAlone.map(Math.abs));
    const padDiff = Math.max(...ebAlone.map((v, i) => Math.abs(v - eb[i]))) / scale;
    assert.ok(padDiff <= 1e-4, `padded vs alone: ${padDiff}`);
    t.diagnostic(
      `build ${buildSeconds.toFixed(2)} s, ${(bytes.length / 2 ** 20).toFixed(1)} MiB; run [3 s + 1.5 s padded] ${runSeconds.toFixed(2)} s; ` +
        `padded rel diff ${padDiff.toExponential(2)}; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
