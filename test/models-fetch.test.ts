// `voxlab model fetch` against a real local HTTP server laid out like the Hugging Face Hub:
// /<org>/<name>/resolve/<rev>/<file> answers 302 (with X-Linked-Etag = sha256) to /cdn/<file>, which serves ranges.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import { downloadFile } from "../src/models/download.ts";
import {
  MANIFEST_NAME,
  fetchSpeechbrainModel,
  modelCacheDir,
  sha256FromEtag,
  type FetchManifest,
} from "../src/models/fetch.ts";
import { fixture, needShared, repoRoot } from "./helpers/shared.ts";

/** The importer (another module); the end-to-end test waits for it. */
const importerMissing = existsSync(join(repoRoot, "src", "models", "import.ts"))
  ? false
  : "src/models/import.ts (importSpeechbrainModel) not written yet";

const FILES = ["hyperparams.yaml", "embedding_model.ckpt"];
const REPO = "speechbrain/spkrec-test";
/** Files the Hub keeps in LFS: their resolve URL redirects to a CDN. */
const LFS_FILES = new Set(["embedding_model.ckpt"]);

const sha256 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");

interface Logged {
  method: string;
  path: string;
  range: string | undefined;
}

/** Switches a test flips to make the server misbehave. */
interface Mode {
  dropFirstGet: boolean; // the first body GET of each file stops half-way and the connection is destroyed
  ignoreRange: boolean; // answer 200 with the whole file to Range requests
  corrupt: boolean; // serve a body with one byte flipped (the advertised sha256 stays the real one)
  deny: boolean; // answer every resolve URL with 401, as the Hub does for gated/private repos
}

class FakeHub {
  readonly log: Logged[] = [];
  mode: Mode = { dropFirstGet: false, ignoreRange: false, corrupt: false, deny: false };
  droppedAt = new Map<string, number>();
  private server: Server | undefined;
  private readonly bodies = new Map<string, Buffer>();

  constructor(files: Map<string, Buffer>) {
    this.bodies = files;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  reset(mode: Partial<Mode> = {}): void {
    this.log.length = 0;
    this.droppedAt.clear();
    this.mode = { dropFirstGet: false, ignoreRange: false, corrupt: false, deny: false, ...mode };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? "";
    this.log.push({ method: req.method ?? "", path, range: req.headers.range });
    const resolve = path.match(/^\/[\w.-]+\/[\w.-]+\/resolve\/[^/]+\/([\w.-]+)$/);
    if (resolve) {
      const [, name] = resolve;
      const body = path.startsWith(`/${REPO}/`) ? this.bodies.get(name) : undefined;
      if (this.mode.deny) return void res.writeHead(401).end();
      if (!body) return void res.writeHead(404).end("Entry not found");
      const commit = { "x-repo-commit": "c".repeat(40) };
      if (!LFS_FILES.has(name)) {
        // A small git file: served in place, its ETag the git blob sha1 (40 hex, not a sha256).
        const blobSha1 = createHash("sha1").update(`blob ${body.length}\0`).update(body).digest("hex");
        return this.serveFile(req, res, name, body, { ...commit, etag: `"${blobSha1}"` });
      }
      // An LFS file: the redirect carries its sha256; the CDN answers with its own, unrelated ETag.
      return void res
        .writeHead(302, { location: `/cdn/${name}`, "x-linked-etag": `"${sha256(body)}"`, ...commit })
        .end();
    }
    const cdn = path.match(/^\/cdn\/([\w.-]+)$/);
    const body = cdn ? this.bodies.get(cdn[1]) : undefined;
    if (!cdn || !body) return void res.writeHead(404).end();
    this.serveFile(req, res, cdn[1], body, { etag: `"${"e".repeat(64)}"` });
  }

  private serveFile(
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    file: Buffer,
    headers: Record<string, string>,
  ): void {
    const body = this.mode.corrupt ? flipByte(file, file.length >> 1) : file;
    const head = req.method === "HEAD";
    const range = this.mode.ignoreRange ? undefined : req.headers.range?.match(/^bytes=(\d+)-$/);
    if (range && Number(range[1]) >= body.length) {
      return void res.writeHead(416, { "content-range": `bytes */${body.length}` }).end();
    }
    const start = range ? Number(range[1]) : 0;
    const slice = body.subarray(start);
    res.writeHead(range ? 206 : 200, {
      "content-length": slice.length,
      "accept-ranges": "bytes",
      ...headers,
      ...(range ? { "content-range": `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
    });
    if (head) return void res.end();
    if (this.mode.dropFirstGet && !this.droppedAt.has(name)) {
      const half = slice.length >> 1;
      this.droppedAt.set(name, half);
      res.write(slice.subarray(0, half), () => res.socket?.destroy());
      return;
    }
    res.end(slice);
  }
}

function flipByte(body: Buffer, at: number): Buffer {
  const copy = Buffer.from(body);
  copy[at] ^= 0xff;
  return copy;
}

/** The GETs that fetched one file's body (the HEAD probes and redirect hops left out). */
const bodyGets = (hub: FakeHub, file: string): Logged[] =>
  hub.log.filter(
    (entry) => entry.method === "GET" && entry.path.endsWith(`/${file}`) && !(LFS_FILES.has(file) && entry.path.includes("/resolve/")),
  );

test("sha256FromEtag takes only 64-hex values, quotes and weak prefix stripped", () => {
  const digest = "0B22CA37413D8DE5248258AF3554A5D754F83C3D237E0FF5B1FEFC5D64376CB5";
  assert.equal(sha256FromEtag(`"${digest}"`), digest.toLowerCase());
  assert.equal(sha256FromEtag(`W/"${digest.toLowerCase()}"`), digest.toLowerCase());
  assert.equal(sha256FromEtag(`"${"a".repeat(40)}"`), undefined); // a git blob sha1
  assert.equal(sha256FromEtag(`"${"g".repeat(64)}"`), undefined);
  assert.equal(sha256FromEtag(null), undefined);
});

describe("model fetch over HTTP", { skip: needShared }, () => {
  const bytes = new Map<string, Buffer>();
  let hub: FakeHub;
  let endpoint: string;
  let cacheDir: string;

  before(async () => {
    for (const file of FILES) bytes.set(file, readFileSync(fixture("speechbrain-ecapa", "c256", file)));
    hub = new FakeHub(bytes);
    endpoint = await hub.start();
  });
  after(() => hub.stop());
  const caches: string[] = [];
  beforeEach(async () => {
    hub.reset();
    cacheDir = await mkdtemp(join(tmpdir(), "voxlab-fetch-")); // each test gets its own cache
    caches.push(cacheDir);
  });
  after(() => Promise.all(caches.map((dir) => rm(dir, { recursive: true, force: true }))));

  const ckpt = (): Buffer => bytes.get("embedding_model.ckpt")!;

  test("downloads both files through the redirect, verified, and records them in the manifest", async () => {
    const fetched = await fetchSpeechbrainModel(REPO, { cacheDir, endpoint });
    assert.equal(fetched.dir, join(cacheDir, "speechbrain--spkrec-test", "main"));
    assert.deepEqual(fetched.downloaded, FILES);
    for (const file of FILES) {
      assert.ok((await readFile(join(fetched.dir, file))).equals(bytes.get(file)!), `${file} differs from the fixture`);
      assert.equal(bodyGets(hub, file).length, 1);
    }
    assert.deepEqual((await readdir(fetched.dir)).sort(), [...FILES, MANIFEST_NAME].sort(), "no .part files left");
    const manifest = JSON.parse(await readFile(join(fetched.dir, MANIFEST_NAME), "utf8")) as FetchManifest;
    assert.equal(manifest.commit, "c".repeat(40));
    for (const file of FILES) {
      const verified = LFS_FILES.has(file); // only LFS files have a published sha256
      assert.deepEqual(manifest.files[file], { size: bytes.get(file)!.length, sha256: sha256(bytes.get(file)!), verified });
    }
  });

  test("a second fetch downloads nothing (no request at all)", async () => {
    await fetchSpeechbrainModel(REPO, { cacheDir, endpoint });
    hub.reset();
    const again = await fetchSpeechbrainModel(REPO, { cacheDir, endpoint });
    assert.deepEqual(again.downloaded, []);
    assert.deepEqual(hub.log, []);
  });

  test("a connection dropped half-way is resumed with a Range from the part's size", async () => {
    hub.reset({ dropFirstGet: true });
    const progress: number[] = [];
    const fetched = await fetchSpeechbrainModel(REPO, {
      cacheDir,
      endpoint,
      onProgress: (file, p) => file === "embedding_model.ckpt" && progress.push(p.received),
    });
    for (const file of FILES) assert.ok((await readFile(join(fetched.dir, file))).equals(bytes.get(file)!));
    const gets = bodyGets(hub, "embedding_model.ckpt");
    assert.equal(gets.length, 2);
    assert.equal(gets[0].range, undefined);
    const resumedAt = Number(gets[1].range?.match(/^bytes=(\d+)-$/)?.[1]);
    const sent = hub.droppedAt.get("embedding_model.ckpt")!;
    assert.ok(resumedAt > 0 && resumedAt <= sent, `resumed at ${resumedAt}, server sent ${sent} before dropping`);
    assert.equal(progress.at(-1), ckpt().length);
  });

  test("an existing .part is resumed: one Range request for the rest", async () => {
    const dest = join(cacheDir, "model.ckpt");
    const kept = 1_000_003;
    await writeFile(`${dest}.part`, ckpt().subarray(0, kept));
    const result = await downloadFile(`${endpoint}/cdn/embedding_model.ckpt`, dest, { expectedSha256: sha256(ckpt()) });
    assert.equal(result.resumedFrom, kept);
    assert.deepEqual(hub.log, [{ method: "GET", path: "/cdn/embedding_model.ckpt", range: `bytes=${kept}-` }]);
    assert.ok((await readFile(dest)).equals(ckpt()));
    assert.equal(existsSync(`${dest}.part`), false);
  });

  test("a server that ignores Range (200) restarts the part from zero", async () => {
    hub.reset({ ignoreRange: true });
    const dest = join(cacheDir, "model.ckpt");
    await writeFile(`${dest}.part`, Buffer.alloc(5000, 7)); // garbage: appending to it would fail the checksum
    const result = await downloadFile(`${endpoint}/cdn/embedding_model.ckpt`, dest, { expectedSha256: sha256(ckpt()) });
    assert.equal(result.resumedFrom, 0);
    assert.equal(bodyGets(hub, "embedding_model.ckpt")[0].range, "bytes=5000-");
    assert.ok((await readFile(dest)).equals(ckpt()));
  });

  test("416 on a complete .part keeps it; on an oversized .part restarts", async () => {
    const dest = join(cacheDir, "model.ckpt");
    const url = `${endpoint}/cdn/embedding_model.ckpt`;
    await writeFile(`${dest}.part`, ckpt());
    const kept = await downloadFile(url, dest, { expectedSha256: sha256(ckpt()) });
    assert.equal(kept.resumedFrom, ckpt().length);
    assert.equal(hub.log.length, 1);
    assert.ok((await readFile(dest)).equals(ckpt()));

    hub.reset();
    await writeFile(`${dest}.part`, Buffer.concat([ckpt(), Buffer.from("extra")]));
    await downloadFile(url, dest, { expectedSha256: sha256(ckpt()) });
    assert.deepEqual(
      bodyGets(hub, "embedding_model.ckpt").map((entry) => entry.range),
      [`bytes=${ckpt().length + 5}-`, undefined],
    );
    assert.ok((await readFile(dest)).equals(ckpt()));
  });

  test("a checksum mismatch fails and leaves neither the file nor a part", async () => {
    hub.reset({ corrupt: true });
    const dir = modelCacheDir(cacheDir, REPO, "main");
    await assert.rejects(fetchSpeechbrainModel(REPO, { cacheDir, endpoint }), (err: Error) => {
      assert.match(err.message, /embedding_model\.ckpt: checksum mismatch \(expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}\)/);
      assert.ok(err.message.includes(sha256(ckpt())));
      assert.equal(err.message.includes("\n"), false);
      return true;
    });
    assert.equal(existsSync(join(dir, "embedding_model.ckpt")), false);
    assert.equal(existsSync(join(dir, "embedding_model.ckpt.part")), false);
  });

  test("404 gives the one-line not-found message", async () => {
    await assert.rejects(fetchSpeechbrainModel("speechbrain/no-such-model", { cacheDir, endpoint, revision: "v1" }), {
      message: `${endpoint}/speechbrain/no-such-model/resolve/v1/hyperparams.yaml: not found (404) — check the model id and revision`,
    });
  });

  test("401 says the model is gated or private", async () => {
    hub.reset({ deny: true });
    await assert.rejects(fetchSpeechbrainModel(REPO, { cacheDir, endpoint }), /: access denied \(401\) — the model is gated or private.*HF_TOKEN/);
  });

  test("connection refused gives the one-line offline message naming the cache folder", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const dir = modelCacheDir(cacheDir, REPO, "main");
    await assert.rejects(fetchSpeechbrainModel(REPO, { cacheDir, endpoint: `http://127.0.0.1:${port}` }), {
      message:
        `cannot reach 127.0.0.1:${port} (ECONNREFUSED): you seem to be offline; download hyperparams.yaml and ` +
        `embedding_model.ckpt by hand (http://127.0.0.1:${port}/${REPO}) into ${dir} and run \`voxlab model import ${dir}\``,
    });
  });

  test("HF_ENDPOINT is the default endpoint", async () => {
    process.env.HF_ENDPOINT = endpoint;
    try {
      const fetched = await fetchSpeechbrainModel(REPO, { cacheDir });
      assert.equal(fetched.manifest.endpoint, endpoint);
      assert.equal(bodyGets(hub, "embedding_model.ckpt").length, 1);
    } finally {
      delete process.env.HF_ENDPOINT;
    }
  });

  test("voxlab model fetch → import writes an ONNX model that names its source", { skip: importerMissing }, async () => {
    const { Command } = await import("commander");
    const { registerModelFetch } = await import("../src/cli/commands/model-fetch.ts");
    const onnxProto = (await import("onnx-proto")).default;
    const program = new Command().exitOverride();
    registerModelFetch(program.command("model"));
    const out = join(cacheDir, "out", "model.onnx");
    const args = ["model", "fetch", REPO, "--endpoint", endpoint, "--cache-dir", cacheDir, "--out", out];
    await program.parseAsync(args, { from: "user" });
    const model = onnxProto.onnx.ModelProto.decode(await readFile(out));
    const values = (model.metadataProps ?? []).map((entry) => entry.value);
    assert.ok(values.includes(`${REPO}@main`), `metadata ${JSON.stringify(model.metadataProps)} lacks the source`);
  });
});
