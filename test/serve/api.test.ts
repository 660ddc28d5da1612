import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { EmbeddingExtractor, importSpeechbrainModel, loadAudio, readNpy, SpeakerProfiles } from "../../src/index.ts";
import { encodeWavPcm16 } from "../../src/audio/encode-wav.ts";
import { isLoopbackHost, thresholdFromMetrics, tokenProblem } from "../../src/serve/index.ts";
import { call, cliArgs, startServer, type Reply, type RunningServer } from "../helpers/serve.ts";
import { dataset, fixture, hasShared, needShared, repoRoot } from "../helpers/shared.ts";

const run = promisify(execFile);
const TOKEN = "serve-test-token-0123456789";
const auth = { authorization: `Bearer ${TOKEN}` };
const THRESHOLD = 0.42;

let work = "";
let root = "";
let model = "";
let server: RunningServer;
let extractor: EmbeddingExtractor;
/** `voxlab embed` rows for [sc-1s.wav, the first clip of speaker X]. */
let cliRows: Float32Array[] = [];
/** Two Speech Commands speakers' clips, relative to the dataset's wav folder (the second audio root). */
let speakerX: string[] = [];
let speakerY: string[] = [];
let refused: { code: number | null; stderr: string };

const scRoot = () => dataset("speech-commands", "wav");
const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> =>
  call(`${server.url}${path}`, method, body, { ...auth, ...headers });
const embeddingOf = (reply: Reply): Float32Array => Float32Array.from(reply.json.embedding as number[]);
const upload = async (files: string[]): Promise<FormData> => {
  const form = new FormData();
  for (const f of files) form.append("audio", new Blob([await readFile(f)]), f.split("/").pop());
  return form;
};

async function clipsOf(speaker: string): Promise<string[]> {
  const out: string[] = [];
  for (const word of (await readdir(join(scRoot(), speaker))).sort()) {
    for (const clip of (await readdir(join(scRoot(), speaker, word))).sort()) out.push(join(speaker, word, clip));
  }
  return out;
}

/** A job that holds the only slot for a while: eight 3 s clips, each under the 4 s limit. */
const SLOW_BATCH = { audio_paths: Array(8).fill("libri-3s.wav") };

/** Waits until the server reports `running` embedding jobs. */
async function untilRunning(running: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const health = await api("GET", "/health");
    if ((health.json.queue as { running: number }).running === running) return;
    await sleep(10);
  }
  throw new Error(`the server never had ${running} running jobs`);
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), "voxlab-serve-"));
  if (!hasShared) return;
  model = join(work, "c128.onnx");
  root = join(work, "audio");
  await importSpeechbrainModel(fixture("speechbrain-ecapa", "c128-l96"), model, { license: "test-only" });
  await mkdir(join(root, "sub"), { recursive: true });
  for (const name of ["sc-1s.wav", "libri-3s.wav", "libri-10s.wav", "short-0.25s.wav"]) await copyFile(fixture("audio", name), join(root, name));
  await copyFile(fixture("audio", "sc-1s.wav"), join(root, "sub", "inner.wav"));
  const speech = await loadAudio(fixture("audio", "libri-10s.wav"));
  await writeFile(join(root, "long-5s.wav"), encodeWavPcm16(speech.subarray(0, 5 * 16000), 16000)); // 160 kB: under the size limit, over 4 s
  await writeFile(join(root, "garbage.wav"), "this is not audio at all");
  await symlink(join(root, "sc-1s.wav"), join(root, "link-in.wav"));
  await symlink(fixture("audio", "sc-1s.wav"), join(root, "escape.wav"));
  await symlink(fixture("audio"), join(root, "escdir"));
  await writeFile(join(work, "metrics.json"), JSON.stringify({ eer: 0.1, "min_dcf_p0.01_threshold": 0.31, "min_dcf_p0.05_threshold": null, eer_threshold: THRESHOLD }));

  const speakers = (await readdir(scRoot())).sort();
  const withFour: string[][] = [];
  for (const s of speakers) {
    const clips = await clipsOf(s);
    if (clips.length >= 4) withFour.push(clips.slice(0, 4));
    if (withFour.length === 2) break;
  }
  [speakerX, speakerY] = withFour;

  const npy = join(work, "cli.npy");
  const env = { ...process.env };
  delete env.VOXLAB_TOKEN;
  const [started, , refusal] = await Promise.all([
    startServer(
      ["--model", model, "--db", join(work, "speakers.db"), "--audio-root", root, "--audio-root", scRoot(), "--threshold-from", `${join(work, "metrics.json")}:eer_threshold`,
        "--max-upload-mb", "0.25", "--max-audio-seconds", "4", "--concurrency", "1", "--queue", "0", "--max-batch", "8", "--threads", "1"],
      { VOXLAB_TOKEN: TOKEN },
    ),
    run(process.execPath, cliArgs(["embed", "--model", model, "--batch-size", "1", "--threads", "1", "--out", npy, join(root, "sc-1s.wav"), join(scRoot(), speakerX[0])]), { cwd: repoRoot }),
    run(process.execPath, cliArgs(["serve", "--host", "0.0.0.0", "--port", "0", "--model", model, "--db", join(work, "never.db")]), { cwd: repoRoot, env }).then(
      () => ({ code: 0, stderr: "" }),
      (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
    ),
  ]);
  server = started;
  refused = refusal;
  const { data, shape } = await readNpy(npy);
  cliRows = [0, 1].map((i) => data.slice(i * shape[1], (i + 1) * shape[1]));
  extractor = await EmbeddingExtractor.load(model, { intraOpThreads: 1 });
});

after(async () => {
  server?.child.kill("SIGKILL");
  await extractor?.close();
  await rm(work, { recursive: true, force: true });
});

test("serve: non-loopback hosts need a token; thresholds come from metrics.json", { skip: needShared }, async () => {
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
  assert.match(refused.stderr, /^voxlab: refusing to listen on 0\.0\.0\.0 \(not loopback\) without a bearer token: pass --token or set VOXLAB_TOKEN$/m);
  assert.ok(!existsSync(join(work, "never.db")), "a refused server creates no database");
  for (const host of ["127.0.0.1", "127.8.9.1", "::1", "[::1]", "localhost"]) assert.ok(isLoopbackHost(host), host);
  for (const host of ["0.0.0.0", "::", "192.168.1.4", "example.com", "128.0.0.1"]) assert.ok(!isLoopbackHost(host), host);
  assert.equal(tokenProblem("127.0.0.1", undefined), undefined);
  assert.equal(tokenProblem("0.0.0.0", "0123456789abcdef"), undefined);
  assert.match(tokenProblem("0.0.0.0", "short") ?? "", /at least 16 characters/);

  const metrics = join(work, "metrics.json");
  assert.deepEqual(await thresholdFromMetrics(metrics), { value: 0.31, source: `min_dcf_p0.01_threshold from ${metrics}` });
  assert.equal((await thresholdFromMetrics(`${metrics}:eer_threshold`)).value, THRESHOLD);
  await assert.rejects(thresholdFromMetrics(`${metrics}:min_dcf_p0.05_threshold`), /"min_dcf_p0\.05_threshold" is null \(a reject-all threshold\); thresholds there: min_dcf_p0\.01_threshold, eer_threshold/);
  await assert.rejects(thresholdFromMetrics(`${metrics}:eer`), /"eer" is not a finite threshold/);
  await assert.rejects(thresholdFromMetrics(join(work, "none.json")), /none\.json: cannot read \(ENOENT\)/);
  // The running server says which threshold it uses.
  assert.match(server.output(), new RegExp(`threshold ${THRESHOLD} \\(eer_threshold from .*metrics\\.json\\)`));
});

test("serve: the bearer token is required (401) and /health reports the model", { skip: needShared }, async () => {
  const missing = await call(`${server.url}/health`, "GET");
  assert.equal(missing.status, 401);
  assert.match(String(missing.json.error), /missing bearer token/);
  assert.match(missing.headers.get("www-authenticate") ?? "", /^Bearer/);
  const wrong = await call(`${server.url}/extract-embedding`, "POST", { audio_path: "sc-1s.wav" }, { authorization: "Bearer nope" });
  assert.equal(wrong.status, 401);
  assert.match(String(wrong.json.error), /wrong bearer token/);
  const health = await api("GET", "/health");
  assert.equal(health.status, 200);
  assert.equal(health.json.ready, true);
  assert.deepEqual(health.json.model, { name: "c128.onnx", source: "c128-l96", dimension: 96, sample_rate: 16000 });
  assert.equal((health.json.threshold as { value: number }).value, THRESHOLD);
});

test("serve: /extract-embedding equals voxlab embed for paths (both roots), raw WAV/FLAC bodies and multipart", { skip: needShared }, async () => {
  const byPath = await api("POST", "/extract-embedding", { audio_path: "sc-1s.wav" });
  assert.equal(byPath.status, 200, JSON.stringify(byPath.json));
  assert.equal(byPath.json.dimension, 96);
  assert.equal(byPath.json.seconds, 1);
  assert.deepEqual(embeddingOf(byPath), cliRows[0]);
  const absolute = await api("POST", "/extract-embedding", { audio_path: join(root, "sc-1s.wav") });
  assert.deepEqual(embeddingOf(absolute), cliRows[0]);
  const linked = await api("POST", "/extract-embedding", { audio_path: "link-in.wav" });
  assert.deepEqual(embeddingOf(linked), cliRows[0], "a symlink that stays inside the root is fine");
  const raw = await api("POST", "/extract-embedding", await readFile(join(root, "sc-1s.wav")), { "content-type": "audio/wav" });
  assert.deepEqual(embeddingOf(raw), cliRows[0]);
  const multipart = await api("POST", "/extract-embedding", await upload([join(root, "sc-1s.wav")]));
  assert.equal(multipart.json.name, "sc-1s.wav");
  assert.deepEqual(embeddingOf(multipart), cliRows[0]);

  const flacPath = await api("POST", "/extract-embedding", { audio_path: speakerX[0] });
  assert.deepEqual(embeddingOf(flacPath), cliRows[1]);
  const flacBody = await api("POST", "/extract-embedding", await readFile(join(scRoot(), speakerX[0])), { "content-type": "audio/flac" });
  assert.deepEqual(embeddingOf(flacBody), cliRows[1]);
});

test("serve: /batch-extract-embeddings gives each path its embedding or its own error", { skip: needShared }, async () => {
  const paths = ["sc-1s.wav", "missing.wav", "../secret.wav", "short-0.25s.wav", "garbage.wav"];
  const reply = await api("POST", "/batch-extract-embeddings", { audio_paths: paths });
  assert.equal(reply.status, 200);
  const results = reply.json.results as Array<{ name: string; status?: number; error?: string; embedding?: number[] }>;
  assert.deepEqual(results.map((r) => r.name), paths);
  assert.deepEqual(Float32Array.from(results[0].embedding ?? []), cliRows[0]);
  assert.deepEqual(results.map((r) => r.status ?? 200), [200, 404, 403, 200, 422]);
  assert.match(results[4].error ?? "", /garbage\.wav: not a WAV or FLAC file/);
  const [short] = await extractor.embedFiles([join(root, "short-0.25s.wav")]);
  assert.deepEqual(Float32Array.from(results[3].embedding ?? []), short);

  const form = await upload([join(root, "sc-1s.wav"), join(root, "short-0.25s.wav")]);
  const uploaded = await api("POST", "/batch-extract-embeddings", form);
  const rows = (uploaded.json.results as Array<{ embedding: number[] }>).map((r) => Float32Array.from(r.embedding));
  assert.deepEqual(rows, [cliRows[0], short]);
  const tooMany = await api("POST", "/batch-extract-embeddings", { audio_paths: Array(9).fill("sc-1s.wav") });
  assert.equal(tooMany.status, 400);
  assert.match(String(tooMany.json.error), /audio_paths/);
});

test("serve: enroll (paths, incremental, uploads), verify, identify, list, get and delete speakers", { skip: needShared }, async () => {
  const embeddings = await extractor.embedFiles([...speakerX, ...speakerY].map((p) => join(scRoot(), p)), { batchSize: 1 });
  const [x, y] = [embeddings.slice(0, 4), embeddings.slice(4)];
  const reference = SpeakerProfiles.build([["spk-x", x.slice(0, 3)], ["spk-y", y.slice(0, 2)]], { threshold: THRESHOLD });

  const first = await api("POST", "/speakers/spk-x/enroll", { audio_paths: speakerX.slice(0, 2) });
  assert.deepEqual(first.json, { speaker: "spk-x", added: 2, count: 2, dimension: 96 });
  const second = await api("POST", "/speakers/spk-x/enroll", { audio_path: speakerX[2] });
  assert.deepEqual(second.json, { speaker: "spk-x", added: 1, count: 3, dimension: 96 });
  const byUpload = await api("POST", "/speakers/spk-y/enroll", await upload(speakerY.slice(0, 2).map((p) => join(scRoot(), p))));
  assert.equal(byUpload.status, 200);
  assert.equal(byUpload.json.count, 2);

  const got = await api("GET", "/speakers/spk-x");
  assert.equal(got.json.count, 3);
  assert.deepEqual(Float32Array.from(got.json.centroid as number[]), reference.centroid("spk-x"), "the incremental centroid equals SpeakerProfiles'");
  assert.deepEqual(Float32Array.from((await api("GET", "/speakers/spk-y")).json.centroid as number[]), reference.centroid("spk-y"));
  const list = await api("GET", "/speakers");
  assert.deepEqual((list.json.speakers as Array<{ speaker: string; count: number }>).map((s) => [s.speaker, s.count]), [["spk-x", 3], ["spk-y", 2]]);

  for (const [speaker, clip, e] of [["spk-x", speakerX[3], x[3]], ["spk-y", speakerX[3], x[3]]] as const) {
    const verify = await api("POST", `/speakers/${speaker}/verify`, { audio_path: clip });
    const expected = reference.verify(speaker, e);
    assert.deepEqual(verify.json, { speaker, score: expected.score, accepted: expected.score >= THRESHOLD, threshold: THRESHOLD });
  }
  const identify = await api("POST", "/identify", { audio_path: speakerY[3], top_k: 2 });
  assert.deepEqual(identify.json, { matches: reference.identify(y[3], 2).map((m) => ({ ...m, accepted: m.score >= THRESHOLD })), threshold: THRESHOLD });
  const identifyUpload = await api("POST", "/identify?top_k=1", await readFile(join(scRoot(), speakerY[3])), { "content-type": "audio/flac" });
  assert.deepEqual((identifyUpload.json.matches as unknown[]).length, 1);

  assert.equal((await api("POST", "/speakers/nobody/verify", { audio_path: "sc-1s.wav" })).status, 404);
  assert.equal((await api("POST", "/speakers/bad%20id/enroll", { audio_path: "sc-1s.wav" })).status, 400);
  const halfBad = await api("POST", "/speakers/spk-z/enroll", { audio_paths: ["sc-1s.wav", "../x.wav"] });
  assert.equal(halfBad.status, 403);
  assert.equal((await api("GET", "/speakers/spk-z")).status, 404, "a refused enrollment creates nothing");
  const deleted = await api("DELETE", "/speakers/spk-y");
  assert.deepEqual(deleted.json, { deleted: "spk-y" });
  assert.equal((await api("GET", "/speakers/spk-y")).status, 404);
  assert.equal((await api("DELETE", "/speakers/spk-y")).status, 404);
});

test("serve: audio_path outside the roots is refused with 403 (.., absolute elsewhere, symlink escapes)", { skip: needShared }, async () => {
  const outside = fixture("audio", "sc-1s.wav");
  const cases: Array<[string, RegExp]> = [
    ["../c128.onnx", /"\.\." is not allowed/],
    ["sub/../sc-1s.wav", /"\.\." is not allowed/],
    [`${root}/../c128.onnx`, /"\.\." is not allowed/],
    ["/etc/passwd", /outside the audio roots/],
    [outside, /outside the audio roots/],
    ["escape.wav", /leads outside the audio roots \(symlink\)/],
    ["escdir/sc-1s.wav", /leads outside the audio roots \(symlink\)/],
  ];
  for (const [audioPath, message] of cases) {
    const reply = await api("POST", "/extract-embedding", { audio_path: audioPath });
    assert.equal(reply.status, 403, audioPath);
    assert.match(String(reply.json.error), message, audioPath);
  }
  assert.equal((await api("POST", "/extract-embedding", { audio_path: "sub/inner.wav" })).status, 200);
  assert.equal((await api("POST", "/extract-embedding", { audio_path: relative(root, join(root, "nope.wav")) })).status, 404);
});

test("serve: upload size (413), audio length (422) and undecodable audio (422)", { skip: needShared }, async () => {
  const big = await readFile(join(root, "libri-10s.wav")); // 311 kB > 0.25 MiB
  const raw = await api("POST", "/extract-embedding", big, { "content-type": "audio/wav" });
  assert.equal(raw.status, 413);
  assert.match(String(raw.json.error), /limit 0\.3 MiB for audio/);
  assert.equal((await api("POST", "/extract-embedding", await upload([join(root, "libri-10s.wav")]))).status, 413);
  const byPath = await api("POST", "/extract-embedding", { audio_path: "libri-10s.wav" });
  assert.equal(byPath.status, 413);
  assert.match(String(byPath.json.error), /libri-10s\.wav: 311\d+ bytes is over the 262144-byte audio limit/);
  const long = await api("POST", "/extract-embedding", { audio_path: "long-5s.wav" });
  assert.equal(long.status, 422);
  assert.match(String(long.json.error), /long-5s\.wav: 5\.00 s of audio is over the 4 s limit/);
  const garbage = await api("POST", "/extract-embedding", Buffer.from("RIFF...."), { "content-type": "application/octet-stream" });
  assert.equal(garbage.status, 422);
  assert.match(String(garbage.json.error), /^upload: /);
});

test("serve: malformed JSON, wrong types, unknown fields and media types get clear 4xx errors", { skip: needShared }, async () => {
  const cases: Array<[string, string, unknown, Record<string, string>, number, RegExp]> = [
    ["POST", "/extract-embedding", '{"audio_path": ', { "content-type": "application/json" }, 400, /^malformed JSON body/],
    ["POST", "/extract-embedding", { audio_path: 5 }, {}, 400, /^request body: audio_path: Invalid input: expected string, received number$/],
    ["POST", "/extract-embedding", { audio_path: "sc-1s.wav", extra: true }, {}, 400, /^request body: Unrecognized key: "extra"$/],
    ["POST", "/extract-embedding", {}, {}, 400, /^request body: audio_path: Invalid input: expected string, received undefined$/],
    ["POST", "/extract-embedding", [], {}, 400, /request body/],
    ["POST", "/batch-extract-embeddings", { audio_paths: "sc-1s.wav" }, {}, 400, /^request body: audio_paths: Invalid input: expected array, received string$/],
    ["POST", "/batch-extract-embeddings", { audio_paths: [] }, {}, 400, /audio_paths/],
    ["POST", "/speakers/a/enroll", { audio_path: "sc-1s.wav", audio_paths: ["sc-1s.wav"] }, {}, 400, /give audio_path or audio_paths/],
    ["POST", "/identify", { audio_path: "sc-1s.wav", top_k: 0 }, {}, 400, /top_k/],
    ["POST", "/identify", { audio_path: "sc-1s.wav", top_k: "2" }, {}, 400, /^request body: top_k: Invalid input: expected number, received string$/],
    ["GET", "/speakers?x=1", undefined, {}, 400, /^query: Unrecognized key: "x"$/],
    ["POST", "/extract-embedding", undefined, {}, 400, /send JSON/],
    ["POST", "/extract-embedding", "hello", { "content-type": "text/plain" }, 415, /Unsupported Media Type/],
    ["GET", "/nowhere", undefined, {}, 404, /no route GET \/nowhere/],
  ];
  for (const [method, path, body, headers, status, message] of cases) {
    const reply = await api(method, path, body, headers);
    assert.equal(reply.status, status, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(reply.json)}`);
    assert.match(String(reply.json.error), message, `${method} ${path} ${JSON.stringify(body)}`);
  }
});

test("serve: a full work queue answers 503 with Retry-After, and the running job still finishes", { skip: needShared }, async () => {
  // The batch holds the only job slot (concurrency 1, queue 0) while it runs.
  const slow = api("POST", "/batch-extract-embeddings", SLOW_BATCH);
  await untilRunning(1);
  const busy = await api("POST", "/extract-embedding", { audio_path: "sc-1s.wav" });
  assert.equal(busy.status, 503);
  assert.equal(busy.headers.get("retry-after"), "1");
  assert.match(String(busy.json.error), /queue is full/);
  assert.equal((await api("POST", "/batch-extract-embeddings", { audio_paths: ["sc-1s.wav"] })).status, 503);
  const done = await slow;
  assert.equal(done.status, 200);
  assert.equal((done.json.results as Array<{ dimension: number }>).filter((r) => r.dimension === 96).length, 8);
  assert.equal((await api("POST", "/extract-embedding", { audio_path: "sc-1s.wav" })).status, 200, "the slot is free again");
});

test("serve: SIGTERM stops accepting, finishes the in-flight request and closes the database", { skip: needShared }, async () => {
  const inFlight = api("POST", "/batch-extract-embeddings", SLOW_BATCH);
  await untilRunning(1);
  server.child.kill("SIGTERM");
  for (let i = 0; i < 500 && !/SIGTERM: finishing/.test(server.output()); i++) await sleep(10);
  const late = await api("POST", "/extract-embedding", { audio_path: "sc-1s.wav" }).catch((err: Error) => err);
  assert.ok(late instanceof Error || late.status === 503, `a request after SIGTERM got ${late instanceof Error ? late.message : late.status}`);
  const finished = await inFlight;
  assert.equal(finished.status, 200);
  assert.equal((finished.json.results as unknown[]).length, 8);
  assert.deepEqual(await server.exited, { code: 0, signal: null });
  assert.match(server.output(), /voxlab serve: stopped/);
  // Closed cleanly: the WAL was checkpointed and removed, and the enrollments are in the main file.
  assert.ok(!existsSync(join(work, "speakers.db-wal")), "the database was closed");
  const db = new Database(join(work, "speakers.db"), { readonly: true });
  try {
    assert.deepEqual(db.prepare("SELECT id, count FROM speakers").all(), [{ id: "spk-x", count: 3 }]);
  } finally {
    db.close();
  }
});
