import { loadEmbeddingModel } from "../src/models/embedding-model.ts";
for (const threads of [1, 2]) {
  const m = await loadEmbeddingModel("/tmp/embbench/c256.onnx", { intraOpThreads: threads });
  for (const T of [101, 1001]) {
    const f = { data: new Float32Array(T * 80).map((_, i) => Math.sin(i * 0.37)), frames: T };
    await m.embedFeatures([f]);
    const t0 = performance.now(); for (let i = 0; i < 5; i++) await m.embedFeatures([f]);
    const ms = (performance.now() - t0) / 5;
    console.log(threads, T, ms.toFixed(1), "ms", (ms / (T / 100)).toFixed(1), "ms per audio s");
  }
  const batch = Array.from({ length: 16 }, () => ({ data: new Float32Array(101 * 80).map((_, i) => Math.sin(i * 0.37)), frames: 101 }));
  await m.embedFeatures(batch);
  const t0 = performance.now(); for (let i = 0; i < 3; i++) await m.embedFeatures(batch);
  console.log(threads, "batch16x101", ((performance.now() - t0) / 3 / 16).toFixed(1), "ms per utt");
  await m.close();
}
