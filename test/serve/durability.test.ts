import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import Database from "better-sqlite3";
import { EmbeddingExtractor, importSpeechbrainModel, SpeakerProfiles } from "../../src/index.ts";
import { call, startServer, type RunningServer } from "../helpers/serve.ts";
import { fixture, hasShared, needShared } from "../helpers/shared.ts";

const CLIENTS = 4;
const KILL_AFTER = 12;

let work = "";
let model = "";
let root = "";
const servers: RunningServer[] = [];

before(async () => {
  work = await mkdtemp(join(tmpdir(), "voxlab-serve-kill-"));
  if (!hasShared) return;
  model = join(work, "c128.onnx");
  root = join(work, "audio");
  await importSpeechbrainModel(fixture("speechbrain-ecapa", "c128-l96"), model, { license: "test-only" });
  await mkdir(root);
  for (const name of ["sc-1s.wav", "short-0.25s.wav"]) await copyFile(fixture("audio", name), join(root, name));
});
after(async () => {
  for (const s of servers) s.child.kill("SIGKILL");
  await rm(work, { recursive: true, force: true });
});

const serve = async (db: string): Promise<RunningServer> => {
  const server = await startServer(["--model", model, "--db", db, "--audio-root", root, "--threads", "1", "--queue", "16"]);
  servers.push(server);
  return server;
};

test("serve: SIGKILL during a burst of enrollments loses no acknowledged enrollment and leaves nothing half-written", { skip: needShared, timeout: 60_000 }, async (t) => {
  const db = join(work, "speakers.db");
  const server = await serve(db);
  const clips = ["sc-1s.wav", "short-0.25s.wav"];
  const acknowledged: string[] = [];
  let next = 0;
  let killed = false;
  // Each client enrolls a new speaker with two utterances per request until the server dies under it.
  const client = async (): Promise<void> => {
    while (!killed) {
      const speaker = `spk-${String(next++).padStart(4, "0")}`;
      const reply = await call(`${server.url}/speakers/${speaker}/enroll`, "POST", { audio_paths: clips }).catch(() => undefined);
      if (reply === undefined) return;
      assert.equal(reply.status, 200, JSON.stringify(reply.json));
      acknowledged.push(speaker);
      if (acknowledged.length >= KILL_AFTER && !killed) {
        killed = true;
        server.child.kill("SIGKILL");
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  assert.equal((await server.exited).signal, "SIGKILL");

  // The database as the killed server left it: sound, every acknowledged enrollment whole, no partial one.
  const conn = new Database(db);
  let rows: Array<{ id: string; count: number; logged: number; utterances: number }>;
  try {
    assert.equal(conn.pragma("integrity_check", { simple: true }), "ok");
    rows = conn
      .prepare(
        `SELECT s.id, s.count, COUNT(e.id) AS logged, COALESCE(SUM(e.utterances), 0) AS utterances
         FROM speakers s LEFT JOIN enrollments e ON e.speaker = s.id GROUP BY s.id ORDER BY s.id`,
      )
      .all() as typeof rows;
  } finally {
    conn.close();
  }
  const stored = new Map(rows.map((r) => [r.id, r]));
  for (const speaker of acknowledged) assert.ok(stored.has(speaker), `acknowledged enrollment of ${speaker} is missing`);
  for (const r of rows) assert.deepEqual([r.count, r.logged, r.utterances], [2, 1, 2], `${r.id} is half-written`);
  assert.ok(rows.length <= next, "no speaker nobody asked for");
  t.diagnostic(`${acknowledged.length} enrollments acknowledged, ${rows.length} committed, ${next} sent when the server was killed`);

  // Restarted on the same database: every profile is served, with the centroid SpeakerProfiles gives.
  const restarted = await serve(db);
  const list = await call(`${restarted.url}/speakers`, "GET");
  assert.deepEqual((list.json.speakers as Array<{ speaker: string }>).map((s) => s.speaker), rows.map((r) => r.id));
  const extractor = await EmbeddingExtractor.load(model, { intraOpThreads: 1 });
  const embeddings = await extractor.embedFiles(clips.map((c) => join(root, c)), { batchSize: 1 });
  await extractor.close();
  const expected = SpeakerProfiles.build([["s", embeddings]]).centroid("s");
  const profile = await call(`${restarted.url}/speakers/${acknowledged[0]}`, "GET");
  assert.deepEqual(Float32Array.from(profile.json.centroid as number[]), expected);
  const more = await call(`${restarted.url}/speakers/${acknowledged[0]}/enroll`, "POST", { audio_path: "sc-1s.wav" });
  assert.equal(more.json.count, 3);
  restarted.child.kill("SIGTERM");
  assert.deepEqual(await restarted.exited, { code: 0, signal: null });
});
