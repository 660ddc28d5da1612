// Hostile input against a real `voxlab serve` on loopback (issue #14): each row of the table as a real
// request, asserting the status, the time to the answer, the server's peak RSS (VmHWM) and that /health still
// answers; then the decisions of docs/serve.md, and a bounded load test.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFile, link, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { importSpeechbrainModel, loadAudio } from "../../src/index.ts";
import { AudioRoots, tokenProblem } from "../../src/serve/index.ts";
import { encodeWavPcm16 } from "../../src/audio/encode-wav.ts";
import { flacBomb, peakRssMiB } from "../helpers/hostile.ts";
import { call, cliArgs, startServer, type Reply, type RunningServer } from "../helpers/serve.ts";
import { fixture, hasShared, needShared, repoRoot } from "../helpers/shared.ts";

const run = promisify(execFile);
const TOKEN = "hostile-test-token-0123456789";
const auth = { authorization: `Bearer ${TOKEN}` };
/** Generous for a loaded 2-core machine: every hostile request is answered in milliseconds when all is well. */
const ANSWER_MS = 5000;
const MAX_AUDIO_SECONDS = 60;
const BODY_TIMEOUT_S = 2;
const MAX_CONNECTIONS = 24;
/** Server A: concurrency 1, 1 MiB uploads, 3 MiB of bodies. */
const BODY_MEMORY_MIB = 3;
/**
 * What one job may add to the server's RSS at MAX_AUDIO_SECONDS (docs/serve.md): decoded planes and their
 * joined copy (≤ 8 B per value, values ≤ 60 s × 96,000), the mono mix-down, the 16 kHz signal and features.
 */
const JOB_MIB = Math.ceil((MAX_AUDIO_SECONDS * 96_000 * 12) / 2 ** 20);
/** Allocator and V8 slack on top of the stated bound. */
const MARGIN_MIB = 64;

let work = "";
let root = "";
let model = "";
let server: RunningServer;
let load: RunningServer;
let canMknod = false;
let socketServer: Server | undefined;
/** Server A's peak RSS after it served its first embedding (the model warmed up). */
let baselineMiB = 0;

const api = (path: string, body?: unknown, headers: Record<string, string> = {}, method = body === undefined ? "GET" : "POST", target = server): Promise<Reply> =>
  call(`${target.url}${path}`, method, body, { ...auth, ...headers });
const hwm = (target = server): number => peakRssMiB(target.child.pid as number) ?? Number.NaN;

/** `request` answered in time, the server's peak RSS within the bound, and /health still answering. */
async function answered(request: () => Promise<Reply>, what: string): Promise<Reply> {
  const start = performance.now();
  const reply = await request();
  const ms = performance.now() - start;
  assert.ok(ms < ANSWER_MS, `${what}: answered in ${ms.toFixed(0)} ms`);
  const bound = baselineMiB + BODY_MEMORY_MIB + JOB_MIB + MARGIN_MIB;
  assert.ok(hwm() < bound, `${what}: server peak RSS ${hwm().toFixed(0)} MiB over ${bound} MiB`);
  assert.equal((await api("/health")).status, 200, `${what}: /health`);
  return reply;
}

async function until(what: string, ok: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await ok()) return;
    await sleep(10);
  }
  throw new Error(`never: ${what}`);
}
const queueIs = (field: "running" | "waiting", n: number) => async (): Promise<boolean> => ((await api("/health")).json.queue as Record<string, number>)[field] === n;

/** A job that holds server A's only slot for a second or more: eight 30 s files. */
const SLOW_BATCH = { audio_paths: Array(8).fill("long-30s.wav") };

interface RawAnswer {
  status?: number;
  ms: number;
  closedByServer: boolean;
}

/**
 * A request over a raw socket whose body trickles in (one byte every `everyMs`) and never completes; resolves
 * with the status line the server answered (if any) when the connection ends, or after `giveUpMs`.
 */
function slowBody(target: RunningServer, everyMs: number, giveUpMs: number, path = "/extract-embedding"): Promise<RawAnswer> {
  const { hostname, port } = new URL(target.url);
  const start = performance.now();
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let text = "";
    let mine = false;
    socket.on("connect", () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: audio/wav\r\nContent-Length: 100000\r\n\r\n`);
    });
    const drip = setInterval(() => socket.writable && socket.write("R"), everyMs);
    const giveUp = setTimeout(() => {
      mine = true;
      socket.destroy();
    }, giveUpMs);
    socket.on("data", (d) => (text += d.toString("latin1")));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearInterval(drip);
      clearTimeout(giveUp);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      resolve({ status: status === undefined ? undefined : Number(status), ms: performance.now() - start, closedByServer: !mine });
    });
  });
}

/** Opens a raw connection that sends nothing; resolves once connected (or closed at once). */
function idleConnection(target: RunningServer): Promise<{ socket: Socket; closed: Promise<number> }> {
  const { hostname, port } = new URL(target.url);
  const start = performance.now();
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const closed = new Promise<number>((c) => socket.on("close", () => c(performance.now() - start)));
    socket.on("error", () => undefined);
    socket.on("connect", () => resolve({ socket, closed }));
    socket.on("close", () => resolve({ socket, closed }));
  });
}

/** A 16-bit mono WAV header + data at `rate` Hz (the header is what matters here). */
const wavAt = (rate: number, seconds: number): Uint8Array => encodeWavPcm16(new Float32Array(Math.round(rate * seconds)).fill(0.1), rate);

before(async () => {
  work = await mkdtemp(join(tmpdir(), "voxlab-hostile-"));
  if (!hasShared) return;
  model = join(work, "c128.onnx");
  root = join(work, "audio");
  await importSpeechbrainModel(fixture("speechbrain-ecapa", "c128-l96"), model, { license: "test-only" });
  await mkdir(join(root, "dir.wav"), { recursive: true });
  await copyFile(fixture("audio", "sc-1s.wav"), join(root, "sc-1s.wav"));
  const speech = await loadAudio(fixture("audio", "libri-10s.wav"));
  const thirty = new Float32Array(30 * 16000);
  for (let i = 0; i < 3; i++) thirty.set(speech.subarray(0, 10 * 16000), i * 10 * 16000);
  await writeFile(join(root, "long-30s.wav"), encodeWavPcm16(thirty, 16000)); // 960 kB: under the 1 MiB upload limit
  await writeFile(join(root, "bomb-28k.flac"), flacBomb(2000)); // 2000 × 65,535 samples: 2.3 hours in 28 KB
  await writeFile(join(root, "bomb-280k.flac"), flacBomb(20_000)); // 23 hours in 280 KB
  await writeFile(join(root, "rate-384k.wav"), wavAt(384_000, 0.5));
  await run("mkfifo", [join(root, "fifo.wav")]);
  canMknod = await run("mknod", [join(root, "zero.wav"), "c", "1", "5"]).then(() => true, () => false);
  socketServer = createServer();
  await new Promise<void>((r) => socketServer?.listen(join(root, "socket.wav"), r));
  const a = startServer(
    ["--model", model, "--db", join(work, "a.db"), "--audio-root", root, "--max-upload-mb", "1", "--max-audio-seconds", String(MAX_AUDIO_SECONDS),
      "--concurrency", "1", "--queue", "8", "--max-batch", "8", "--threads", "1", "--body-memory-mb", String(BODY_MEMORY_MIB),
      "--body-timeout", String(BODY_TIMEOUT_S), "--max-connections", String(MAX_CONNECTIONS)],
    { VOXLAB_TOKEN: TOKEN },
  );
  const l = startServer(
    ["--host", "localhost", "--model", model, "--db", join(work, "load.db"), "--audio-root", root, "--max-upload-mb", "1", "--max-audio-seconds", String(MAX_AUDIO_SECONDS),
      "--concurrency", "2", "--queue", "16", "--threads", "1", "--body-timeout", String(BODY_TIMEOUT_S), "--max-connections", "1024"],
    { VOXLAB_TOKEN: TOKEN },
  );
  [server, load] = await Promise.all([a, l]);
  assert.equal((await api("/extract-embedding", { audio_path: "sc-1s.wav" })).status, 200);
  baselineMiB = hwm();
});

after(async () => {
  server?.child.kill("SIGKILL");
  load?.child.kill("SIGKILL");
  socketServer?.close();
  await rm(work, { recursive: true, force: true });
});

test("hostile 1: FLAC bombs (28 KB and 280 KB declaring hours) are refused with 422 before decoding, as uploads and as paths", { skip: needShared }, async () => {
  for (const name of ["bomb-28k.flac", "bomb-280k.flac"]) {
    const bytes = await readFile(join(root, name));
    const upload = await answered(() => api("/extract-embedding", bytes, { "content-type": "audio/flac" }), `${name} upload`);
    assert.equal(upload.status, 422, name);
    assert.match(String(upload.json.error), new RegExp(`^upload: more than \\d+\\.\\d+ s of audio is over the ${MAX_AUDIO_SECONDS} s limit$`));
    const byPath = await answered(() => api("/extract-embedding", { audio_path: name }), `${name} path`);
    assert.equal(byPath.status, 422, name);
    assert.match(String(byPath.json.error), new RegExp(`^${name.replace(".", "\\.")}: more than`));
  }
  // The decoder itself is sound: a bomb within the budget (3 frames, 12 s) decodes and embeds.
  const small = await answered(() => api("/extract-embedding", flacBomb(3, 65_535, 0, 3000), { "content-type": "audio/flac" }), "small constant FLAC");
  assert.equal(small.status, 200, JSON.stringify(small.json));
  assert.equal(small.json.seconds, (3 * 65_535) / 16000);
});

test("hostile 2: a device file under an audio root is refused (422) without reading it", { skip: needShared }, async (t) => {
  const sock = await answered(() => api("/extract-embedding", { audio_path: "socket.wav" }), "socket");
  assert.equal(sock.status, 422);
  assert.match(String(sock.json.error), /^audio_path "socket\.wav" is not a regular file/);
  if (!canMknod) {
    t.diagnostic("mknod is not permitted here: the character-device case is skipped");
    return;
  }
  const zero = await answered(() => api("/extract-embedding", { audio_path: "zero.wav" }), "/dev/zero twin");
  assert.equal(zero.status, 422);
  assert.match(String(zero.json.error), /^audio_path "zero\.wav" is not a regular file \(a device, FIFO or socket\)$/);
  const batch = await answered(() => api("/batch-extract-embeddings", { audio_paths: ["zero.wav", "sc-1s.wav"] }), "batch with a device");
  assert.deepEqual((batch.json.results as Array<{ status?: number }>).map((r) => r.status ?? 200), [422, 200]);
});

test("hostile 3: a FIFO under an audio root is refused at once and holds no job slot", { skip: needShared }, async () => {
  const fifo = await answered(() => api("/extract-embedding", { audio_path: "fifo.wav" }), "FIFO");
  assert.equal(fifo.status, 422);
  assert.match(String(fifo.json.error), /not a regular file/);
  assert.equal((await answered(() => api("/extract-embedding", { audio_path: "missing.wav" }), "missing")).status, 404);
  assert.equal((await answered(() => api("/extract-embedding", { audio_path: "sc-1s.wav" }), "after the FIFO")).status, 200);
  assert.deepEqual(((await api("/health")).json.queue as Record<string, number>).running, 0);
});

test("hostile 4: a directory is 422; a file deleted while its request waits in the queue is 404", { skip: needShared }, async () => {
  const dir = await answered(() => api("/extract-embedding", { audio_path: "dir.wav" }), "directory");
  assert.equal(dir.status, 422);
  assert.match(String(dir.json.error), /is not a regular file \(a directory\)/);
  await copyFile(join(root, "sc-1s.wav"), join(root, "victim.wav"));
  const slow = api("/batch-extract-embeddings", SLOW_BATCH);
  await until("the batch runs", queueIs("running", 1));
  const start = performance.now();
  const victim = api("/extract-embedding", { audio_path: "victim.wav" });
  await until("the victim waits", queueIs("waiting", 1));
  await rm(join(root, "victim.wav"));
  const gone = await victim;
  assert.equal(gone.status, 404, JSON.stringify(gone.json));
  assert.equal(gone.json.error, "victim.wav: file not found");
  assert.equal((await slow).status, 200);
  assert.ok(performance.now() - start < 4 * ANSWER_MS);
  assert.equal((await api("/health")).status, 200);
});

test("hostile 5: a WAV above 192 kHz is a 422 naming the input (server), one line naming the file (CLI)", { skip: needShared }, async () => {
  const upload = await answered(() => api("/extract-embedding", wavAt(384_000, 0.5), { "content-type": "audio/wav" }), "384 kHz upload");
  assert.equal(upload.status, 422);
  assert.equal(upload.json.error, "upload: sample rate 384000 Hz is above 192000 Hz, the highest VoxLab resamples");
  const byPath = await answered(() => api("/extract-embedding", { audio_path: "rate-384k.wav" }), "384 kHz path");
  assert.match(String(byPath.json.error), /^rate-384k\.wav: sample rate 384000 Hz/);
  const file = join(root, "rate-384k.wav");
  await assert.rejects(run(process.execPath, cliArgs(["embed", "--model", model, "--out", join(work, "x.npy"), file]), { cwd: repoRoot }), (err: { code: number; stderr: string }) => {
    assert.equal(err.code, 1);
    assert.equal(err.stderr, `voxlab: ${file}: sample rate 384000 Hz is above 192000 Hz, the highest VoxLab resamples\n`);
    return true;
  });
});

test("hostile 6: multipart without a boundary, or cut short, is a 400", { skip: needShared }, async () => {
  const noBoundary = await answered(() => api("/extract-embedding", "--x\r\n", { "content-type": "multipart/form-data" }), "no boundary");
  assert.equal(noBoundary.status, 400, JSON.stringify(noBoundary.json));
  assert.match(String(noBoundary.json.error), /multipart/i);
  const cut = await answered(
    () => api("/extract-embedding", '--b\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\n\r\nRIFF', { "content-type": "multipart/form-data; boundary=b" }),
    "cut multipart",
  );
  assert.ok(cut.status >= 400 && cut.status < 500, `${cut.status} ${JSON.stringify(cut.json)}`);
});

test("hostile 7: speaker ids of 128 characters work as documented; 129 are a 400", { skip: needShared }, async () => {
  const id = `s${"x".repeat(127)}`;
  const enrolled = await answered(() => api(`/speakers/${id}/enroll`, { audio_path: "sc-1s.wav" }), "128-char id");
  assert.equal(enrolled.status, 200, JSON.stringify(enrolled.json));
  assert.equal(enrolled.json.speaker, id);
  assert.equal((await api(`/speakers/${id}`)).status, 200);
  // Percent-encoded, an id's URL form is longer than the id; that still is no 414.
  assert.equal((await api(`/speakers/${encodeURIComponent(id.replace(/x/g, "@"))}`)).status, 404);
  assert.equal((await api(`/speakers/${id}x`)).status, 400);
  assert.equal((await api(`/speakers/${id}`, undefined, {}, "DELETE")).status, 200);
});

test("hostile 8: large uploads at once count against the body memory budget: 503 with Retry-After beyond it, 413 for one larger than it", { skip: needShared }, async () => {
  const big = await readFile(join(root, "long-30s.wav")); // 960 kB: three fit in the 3 MiB budget
  // While the batch holds the only slot, admitted uploads wait in the queue holding their bodies.
  const slow = api("/batch-extract-embeddings", SLOW_BATCH);
  await until("the batch runs", queueIs("running", 1));
  const start = performance.now();
  const replies = await Promise.all(Array.from({ length: 12 }, () => api("/extract-embedding", big, { "content-type": "audio/wav" })));
  const ms = performance.now() - start;
  assert.equal((await slow).status, 200);
  const statuses = replies.map((r) => r.status);
  // 408: on a loaded machine a body may take longer than the (short, 2 s) test timeout to arrive.
  assert.ok(statuses.every((s) => s === 200 || s === 503 || s === 408), statuses.join(","));
  assert.ok(statuses.includes(200) && statuses.includes(503), statuses.join(","));
  for (const r of replies.filter((x) => x.status === 503)) {
    assert.equal(r.headers.get("retry-after"), "1");
    assert.match(String(r.json.error), /^busy: request bodies in progress hold \d+ of 3145728 bytes of body memory; retry later$/);
  }
  assert.ok(ms < 4 * ANSWER_MS, `12 uploads answered in ${ms.toFixed(0)} ms`);
  // A batch larger than the whole budget is refused before its body is read.
  const form = new FormData();
  for (let i = 0; i < 4; i++) form.append("audio", new Blob([big]), `big-${i}.wav`);
  const batch = await answered(() => api("/batch-extract-embeddings", form), "4 × 960 kB batch");
  assert.equal(batch.status, 413);
  assert.match(String(batch.json.error), /over the server's 3145728-byte body memory budget/);
  assert.equal(((await api("/health")).json.body_memory as { in_use: number }).in_use, 0, "every reservation returned");
  assert.ok(hwm() < baselineMiB + BODY_MEMORY_MIB + JOB_MIB + MARGIN_MIB, `peak RSS ${hwm().toFixed(0)} MiB`);
});

test("hostile 9: slow bodies get 408 after --body-timeout; connections beyond --max-connections are closed; /health answers after", { skip: needShared }, async () => {
  const slow = await Promise.all(Array.from({ length: 10 }, () => slowBody(server, 300, 10_000)));
  for (const s of slow) {
    assert.ok(s.closedByServer, "cut off by the server");
    assert.ok(s.status === 408 || s.status === undefined, String(s.status));
    assert.ok(s.ms >= BODY_TIMEOUT_S * 1000 - 100 && s.ms < BODY_TIMEOUT_S * 1000 + ANSWER_MS, `408 after ${s.ms.toFixed(0)} ms`);
  }
  assert.equal((await api("/health")).status, 200);
  // Idle connections: the ones over the limit are closed on arrival, the rest when the header timeout passes.
  const idle = await Promise.all(Array.from({ length: MAX_CONNECTIONS + 8 }, () => idleConnection(server)));
  const closedAfter = await Promise.all(idle.map((c) => Promise.race([c.closed, sleep(BODY_TIMEOUT_S * 1000 + ANSWER_MS).then(() => Number.POSITIVE_INFINITY)])));
  const early = closedAfter.filter((ms) => ms < BODY_TIMEOUT_S * 500).length;
  assert.ok(early >= 8, `${early} connections closed at once`);
  assert.ok(closedAfter.every(Number.isFinite), "every idle connection closed by the server");
  for (const c of idle) c.socket.destroy();
  assert.equal((await answered(() => api("/health"), "after the flood")).status, 200);
});

test("decisions: a client that went away is dropped before its embedding; a speaker deleted while a request waits is 404 (verify) / 409 (identify)", { skip: needShared }, async () => {
  assert.equal((await api("/speakers/spk-del/enroll", { audio_path: "sc-1s.wav" })).status, 200);
  const droppedBefore = ((await api("/health")).json.queue as Record<string, number>).dropped;
  const slow = api("/batch-extract-embeddings", SLOW_BATCH);
  await until("the batch runs", queueIs("running", 1));
  const aborts = Array.from({ length: 3 }, () => new AbortController());
  const abandoned = aborts.map((a) =>
    fetch(`${server.url}/extract-embedding`, { method: "POST", body: JSON.stringify({ audio_path: "sc-1s.wav" }), headers: { ...auth, "content-type": "application/json" }, signal: a.signal }).catch(() => "aborted"),
  );
  const verify = api("/speakers/spk-del/verify", { audio_path: "sc-1s.wav" });
  const identify = api("/identify", { audio_path: "sc-1s.wav" });
  await until("five requests wait", queueIs("waiting", 5));
  for (const a of aborts) a.abort();
  assert.deepEqual(await Promise.all(abandoned), ["aborted", "aborted", "aborted"]);
  assert.equal((await api("/speakers/spk-del", undefined, {}, "DELETE")).status, 200);
  const [v, i] = await Promise.all([verify, identify]);
  assert.equal(v.status, 404);
  assert.match(String(v.json.error), /deleted while this request waited/);
  assert.equal(i.status, 409);
  assert.equal((await slow).status, 200);
  await until("the queue is empty", queueIs("running", 0));
  assert.equal(((await api("/health")).json.queue as Record<string, number>).dropped - droppedBefore, 3);
});

test("decisions: auth scheme case, unusable tokens, the bound address, one server per database, hard links, forbidden roots", { skip: needShared }, async () => {
  for (const scheme of ["bearer", "BEARER", "Bearer"]) assert.equal((await call(`${server.url}/health`, "GET", undefined, { authorization: `${scheme} ${TOKEN}` })).status, 200, scheme);
  assert.equal((await call(`${server.url}/health`, "GET", undefined, { authorization: `Basic ${TOKEN}` })).status, 401);
  // The start-up line names an address (not "localhost") that answers.
  assert.match(load.url, /^http:\/\/(127\.0\.0\.1|\[::1\]):\d+$/);
  assert.equal((await api("/health", undefined, {}, "GET", load)).status, 200);

  // Tokens no request could match, and roots that are no audio folders, are refused at start-up.
  for (const token of [" ".repeat(20), "jeton-secret-été-2024", "tab\tinside-the-token-0123"]) {
    assert.match(tokenProblem("127.0.0.1", token) ?? "", /the bearer token must be visible ASCII characters/, JSON.stringify(token));
  }
  await assert.rejects(AudioRoots.create(["/proc"]), /--audio-root \/proc: refusing \/proc \(a pseudo-file system/);
  await assert.rejects(AudioRoots.create(["/sys/kernel"]), /refusing \/sys\/kernel/);
  // Two processes for the end-to-end form: the whole file system as a root, and a second server on a database in use.
  const refusals: Array<[string[], RegExp]> = [
    [["--audio-root", "/", "--token", " ".repeat(20)], /^voxlab: the bearer token must be visible ASCII characters/],
    [["--audio-root", "/"], /^voxlab: --audio-root \/: refusing the whole file system/],
    [["--db", join(work, "a.db")], /a\.db: the speaker database is in use by another process \(another voxlab serve\?\); one server per database$/],
  ];
  await Promise.all(refusals.map(async ([args, message]) => {
    await assert.rejects(run(process.execPath, cliArgs(["serve", "--port", "0", "--model", model, "--db", join(work, "other.db"), ...args]), { cwd: repoRoot }), (err: { code: number; stderr: string }) => {
      assert.equal(err.code, 1, args.join(" "));
      assert.equal(err.stderr.trim().split("\n").length, 1, err.stderr);
      assert.match(err.stderr.trim(), message);
      return true;
    });
  }));
  assert.equal((await api("/health")).status, 200, "the first server still serves its database");
  // A hard link inside a root is the file it names (no path leads outside): served, as documented.
  await copyFile(fixture("audio", "sc-1s.wav"), join(work, "outside.wav"));
  await link(join(work, "outside.wav"), join(root, "hardlink.wav"));
  assert.equal((await api("/extract-embedding", { audio_path: "hardlink.wav" })).status, 200);
});

test("load: hundreds of concurrent requests (small and large uploads, slow bodies) end without a crash, RSS within the stated bound", { skip: needShared, timeout: 60_000 }, async (t) => {
  const small = await readFile(join(root, "sc-1s.wav"));
  const big = await readFile(join(root, "long-30s.wav"));
  await api("/extract-embedding", small, { "content-type": "audio/wav" }, "POST", load);
  const idle = hwm(load);
  const start = performance.now();
  const statuses = await Promise.all([
    ...Array.from({ length: 200 }, () => api("/extract-embedding", small, { "content-type": "audio/wav" }, "POST", load).then((r) => `small ${r.status}`, () => "small error")),
    ...Array.from({ length: 60 }, () => api("/extract-embedding", big, { "content-type": "audio/wav" }, "POST", load).then((r) => `large ${r.status}`, () => "large error")),
    ...Array.from({ length: 40 }, () => slowBody(load, 300, 15_000).then((r) => `slow ${r.closedByServer ? "cut" : "never cut"}`)),
  ]);
  const seconds = (performance.now() - start) / 1000;
  const counts: Record<string, number> = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  const health = await api("/health", undefined, {}, "GET", load);
  assert.equal(health.status, 200, "the server survived");
  const peak = hwm(load);
  // docs/serve.md: idle RSS + body memory (1 MiB × (2 + 2)) + 2 jobs × JOB_MIB.
  const bound = idle + 4 + 2 * JOB_MIB;
  t.diagnostic(`${statuses.length} requests in ${seconds.toFixed(1)} s: ${JSON.stringify(counts)}; server RSS idle ${idle.toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB (bound ${bound} + ${MARGIN_MIB})`);
  assert.ok(seconds < 50, `${seconds} s`);
  // 408 for an upload: the machine was too loaded to receive it within the test's 2 s body timeout.
  assert.deepEqual(Object.keys(counts).filter((k) => !/^(small|large) (200|503|408)$|^slow cut$/.test(k)), [], JSON.stringify(counts));
  // Which uploads get through depends on arrival order (small ones waiting in the queue can fill the body memory).
  assert.ok((counts["small 200"] ?? 0) + (counts["large 200"] ?? 0) > 0, JSON.stringify(counts));
  assert.ok(peak < bound + MARGIN_MIB, `peak RSS ${peak.toFixed(0)} MiB over ${bound + MARGIN_MIB} MiB`);
});

test("hostile 3 (end): SIGTERM ends the server promptly after all of the above", { skip: needShared }, async () => {
  const start = performance.now();
  server.child.kill("SIGTERM");
  assert.deepEqual(await server.exited, { code: 0, signal: null });
  assert.ok(performance.now() - start < ANSWER_MS);
});
