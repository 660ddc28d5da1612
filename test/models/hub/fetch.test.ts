// `voxlab model fetch` against loopback servers that behave like the Hugging Face Hub and its CDN
// (test/helpers/hub.ts): a second origin for storage, signed expiring URLs, Xet-shaped headers, relative
// 307s for small files, 429/5xx, moving branches, and a proxy.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import { promisify } from "node:util";
import { downloadFile, fileDigest } from "../../../src/models/hub/download.ts";
import { MANIFEST_NAME, fetchHubFiles, modelCacheDir, type FetchManifest, type FetchOptions } from "../../../src/models/hub/fetch.ts";
import { hfCacheDir, hfStoredToken } from "../../../src/models/hub/hf-cache.ts";
import { proxyFor, retryAfterMs } from "../../../src/models/hub/http.ts";
import { digestFromEtag } from "../../../src/models/hub/api.ts";
import { FakeHub, FakeProxy, gitBlobSha1, sha256, writeHfCache } from "../../helpers/hub.ts";
import { fixture, needShared, repoRoot } from "../../helpers/shared.ts";

const REPO = "speechbrain/spkrec-test";
const FILES = ["hyperparams.yaml", "embedding_model.ckpt"];
const lfs = (file: string): boolean => file.endsWith(".ckpt") || file.endsWith(".onnx");
const TOKEN = "hf_secret_token";

/** Deterministic pseudo-random bytes (a stand-in checkpoint: the fetcher does not look inside). */
function bytesOf(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let s = seed;
  for (let i = 0; i < length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

const filesV1 = new Map([
  ["hyperparams.yaml", Buffer.from("# v1\nn_mels: 80\n")],
  ["embedding_model.ckpt", bytesOf(3_000_017, 1)],
]);
const filesV2 = new Map([
  ["hyperparams.yaml", Buffer.from("# v2\nn_mels: 80\n")],
  ["embedding_model.ckpt", bytesOf(2_000_003, 2)],
]);

/** Env with no proxy, no HF variables: each test adds what it needs. */
const cleanEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ HOME: "/nonexistent", ...extra });

test("digestFromEtag: 64 hex → sha256, 40 hex → git blob sha1, quotes and W/ stripped, others nothing", () => {
  const digest = "0B22CA37413D8DE5248258AF3554A5D754F83C3D237E0FF5B1FEFC5D64376CB5";
  assert.deepEqual(digestFromEtag(`"${digest}"`), { algorithm: "sha256", digest: digest.toLowerCase() });
  assert.deepEqual(digestFromEtag(`W/"${"A".repeat(40)}"`), { algorithm: "git-sha1", digest: "a".repeat(40) });
  assert.equal(digestFromEtag(`"${"g".repeat(64)}"`), undefined);
  assert.equal(digestFromEtag(`"d41d8cd98f00b204e9800998ecf8427e"`), undefined); // an S3 md5 ETag
  assert.equal(digestFromEtag(undefined), undefined);
});

test("fileDigest git-sha1 is git's blob hash (hand-checked: `printf 'hello\\n' | git hash-object --stdin`)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "voxlab-digest-"));
  try {
    await writeFile(join(dir, "f"), "hello\n");
    assert.equal(await fileDigest(join(dir, "f"), "git-sha1"), "ce013625030ba8dba906f756967f9e9ca394464a");
    assert.equal(await fileDigest(join(dir, "f"), "sha256"), "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("proxy variables: HTTPS_PROXY for https, HTTP_PROXY for http, NO_PROXY by host suffix and port", () => {
  const env = { HTTPS_PROXY: "http://p:3128", http_proxy: "p2:8080", NO_PROXY: ".internal, mirror.local:8443,10.0.0.1" };
  assert.equal(proxyFor(new URL("https://huggingface.co/x"), env)?.href, "http://p:3128/");
  assert.equal(proxyFor(new URL("http://cdn.example/x"), env)?.href, "http://p2:8080/");
  assert.equal(proxyFor(new URL("https://hub.internal/x"), env), undefined);
  assert.equal(proxyFor(new URL("https://a.b.internal/x"), env), undefined);
  assert.equal(proxyFor(new URL("https://mirror.local:8443/x"), env), undefined);
  assert.equal(proxyFor(new URL("https://mirror.local/x"), env)?.host, "p:3128"); // other port: proxied
  assert.equal(proxyFor(new URL("http://10.0.0.1/x"), env), undefined);
  assert.equal(proxyFor(new URL("https://x.co/"), { HTTPS_PROXY: "http://p:1", NO_PROXY: "*" }), undefined);
  assert.equal(proxyFor(new URL("https://x.co/"), {}), undefined);
  assert.throws(() => proxyFor(new URL("https://x.co/"), { HTTPS_PROXY: "socks5://p:1080" }), /only http:\/\/ proxies/);
});

test("Retry-After: seconds or an HTTP date", () => {
  assert.equal(retryAfterMs("3"), 3000);
  assert.equal(retryAfterMs("Wed, 21 Oct 2015 07:28:05 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT")), 5000);
  assert.equal(retryAfterMs("soon"), undefined);
  assert.equal(retryAfterMs(undefined), undefined);
});

test("the saved login token: HF_TOKEN_PATH, else HF_HOME/token", async () => {
  const dir = await mkdtemp(join(tmpdir(), "voxlab-token-"));
  try {
    await writeFile(join(dir, "token"), "hf_saved\n");
    assert.equal(hfStoredToken({ HF_HOME: dir }), "hf_saved");
    assert.equal(hfStoredToken({ HF_TOKEN_PATH: join(dir, "token"), HF_HOME: "/nowhere" }), "hf_saved");
    assert.equal(hfStoredToken({ HF_HOME: "/nowhere" }), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("HF cache folder: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub", () => {
  assert.equal(hfCacheDir({ HF_HUB_CACHE: "/a", HF_HOME: "/b" }), "/a");
  assert.equal(hfCacheDir({ HF_HOME: "/b" }), join("/b", "hub"));
  assert.match(hfCacheDir({}), /\.cache[/\\]huggingface[/\\]hub$/);
});

test("a redirect to a non-http URL, or a redirect loop, is refused in one line", async () => {
  const server = createServer((req, res) => {
    const location = req.url === "/file" ? "file:///etc/passwd" : "/loop";
    res.writeHead(302, { location }).end("redirecting");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = await mkdtemp(join(tmpdir(), "voxlab-redirect-"));
  try {
    await assert.rejects(downloadFile(`${base}/file`, join(dir, "f"), { env: {} }), { message: "file:///etc/passwd: not an http or https URL" });
    await assert.rejects(downloadFile(`${base}/loop`, join(dir, "f"), { env: {} }), { message: `${base}/loop: too many redirects` });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  }
});

describe("model fetch from a Hub-like server", () => {
  const hub = new FakeHub();
  let c1 = "";
  let work = "";
  let cacheDir = "";
  let hfCache = "";
  const sleeps: number[] = [];
  const options = (extra: Partial<FetchOptions> = {}): FetchOptions => ({
    cacheDir,
    hfCacheDir: hfCache,
    endpoint: hub.hubUrl,
    token: TOKEN,
    env: cleanEnv(),
    retry: { baseDelayMs: 5, sleep: async (ms) => void sleeps.push(ms) },
    ...extra,
  });

  before(async () => {
    await hub.start();
    c1 = hub.publish(REPO, filesV1, lfs);
    hub.repos.get(REPO)!.refs.set("v1.0", c1);
    work = await mkdtemp(join(tmpdir(), "voxlab-fetch-"));
  });
  after(async () => {
    await hub.stop();
    await rm(work, { recursive: true, force: true });
  });
  beforeEach(async () => {
    hub.reset();
    sleeps.length = 0;
    cacheDir = await mkdtemp(join(work, "cache-"));
    hfCache = join(work, "no-hf-cache");
    // Each test starts on commit c1 of main.
    hub.repos.get(REPO)!.refs.set("main", c1);
  });

  /** Asserts the token reached the Hub on every request and the CDN on none. */
  const assertTokenOnlyOnHub = (): void => {
    assert.ok(hub.hubLog.length > 0 && hub.hubLog.every((r) => r.authorization === `Bearer ${TOKEN}`), JSON.stringify(hub.hubLog));
    assert.ok(hub.cdnLog.every((r) => r.authorization === undefined), JSON.stringify(hub.cdnLog));
  };

  test("fetches through 302-to-CDN and relative 307, verified (sha256 / git blob sha1), token on the Hub only", async () => {
    const fetched = await fetchHubFiles(REPO, FILES, options());
    assert.equal(fetched.dir, modelCacheDir(cacheDir, REPO, c1));
    assert.equal(fetched.servedBy, "hub");
    assert.deepEqual(fetched.downloaded, FILES);
    for (const file of FILES) assert.ok((await readFile(join(fetched.dir, file))).equals(filesV1.get(file)!), file);
    assert.deepEqual((await readdir(fetched.dir)).sort(), [...FILES, MANIFEST_NAME].sort(), "no .part files left");
    const manifest = JSON.parse(await readFile(join(fetched.dir, MANIFEST_NAME), "utf8")) as FetchManifest;
    assert.equal(manifest.commit, c1);
    for (const file of FILES) {
      assert.deepEqual(manifest.files[file], { size: filesV1.get(file)!.length, sha256: sha256(filesV1.get(file)!), verified: true });
    }
    // The metadata HEAD stopped at the 302: the CDN (which refuses HEAD) saw only GETs.
    assert.deepEqual(hub.cdnLog.map((r) => r.method), ["GET"]);
    assert.ok(hub.hubLog.some((r) => r.method === "HEAD" && r.path.startsWith("/api/resolve-cache/")), "the relative 307 was followed");
    // Files after the first are asked for at the resolved commit, not at the moving branch.
    assert.ok(hub.hubLog.some((r) => r.path === `/${REPO}/resolve/${c1}/embedding_model.ckpt`));
    assertTokenOnlyOnHub();
  });

  test("a branch is re-checked each run (one HEAD); when main moves, the new commit is fetched", async () => {
    await fetchHubFiles(REPO, FILES, options());
    hub.reset();
    const again = await fetchHubFiles(REPO, FILES, options());
    assert.equal(again.servedBy, "voxlab-cache");
    assert.deepEqual(again.downloaded, []);
    assert.deepEqual(hub.hubLog.map((r) => `${r.method} ${r.path}`), [`HEAD /${REPO}/resolve/main/hyperparams.yaml`, expect307Target(hub.hubLog)]);
    assert.deepEqual(hub.cdnLog, []);

    const c2 = hub.publish(REPO, filesV2, lfs);
    hub.reset();
    const moved = await fetchHubFiles(REPO, FILES, options());
    assert.equal(moved.manifest.commit, c2);
    assert.equal(moved.dir, modelCacheDir(cacheDir, REPO, c2));
    assert.deepEqual(moved.downloaded, FILES);
    for (const file of FILES) assert.ok((await readFile(join(moved.dir, file))).equals(filesV2.get(file)!), file);

    // A commit (or a tag's files already cached by commit) is immutable: no request at all.
    hub.reset();
    const pinned = await fetchHubFiles(REPO, FILES, options({ revision: c1 }));
    assert.equal(pinned.dir, modelCacheDir(cacheDir, REPO, c1));
    assert.deepEqual([...hub.hubLog, ...hub.cdnLog], []);
    const tagged = await fetchHubFiles(REPO, FILES, options({ revision: "v1.0" }));
    assert.equal(tagged.manifest.commit, c1);
    assert.equal(tagged.servedBy, "voxlab-cache");
  });

  test("429 (Retry-After honoured) and 5xx (back-off) on the Hub and the CDN are retried", async () => {
    hub.reset({ hubFailures: [429, 503], cdnFailures: [502], retryAfter: "2" });
    const fetched = await fetchHubFiles(REPO, FILES, options());
    assert.ok((await readFile(join(fetched.dir, "embedding_model.ckpt"))).equals(filesV1.get("embedding_model.ckpt")!));
    // 429 → Retry-After 2 s; then 503 on the second try → base 5 ms × 2; the CDN's 502 → base 5 ms.
    assert.deepEqual(sleeps, [2000, 10, 5]);
    assertTokenOnlyOnHub();
  });

  test("retries are bounded: a Hub that stays at 503 gives a one-line error", async () => {
    hub.reset({ hubFailures: [503, 503, 503, 503, 503, 503] });
    await assert.rejects(fetchHubFiles(REPO, FILES, options()), (err: Error) => /HTTP 503 from the server$/.test(err.message) && !err.message.includes("\n"));
    assert.equal(hub.hubLog.length, 5);
    assert.deepEqual(sleeps, [5, 10, 20, 40]);
  });

  test("a dropped connection resumes with Range; one-shot signed URLs and a 403 on the Range send it back to the Hub", async () => {
    hub.reset({ dropFirstGet: true, oneShotUrls: true, forbidRangeOnce: true });
    const fetched = await fetchHubFiles(REPO, FILES, options());
    const ckpt = filesV1.get("embedding_model.ckpt")!;
    assert.ok((await readFile(join(fetched.dir, "embedding_model.ckpt"))).equals(ckpt));
    const cdnGets = hub.cdnLog.map((r) => ({ range: r.range, signature: new URL(r.path, hub.cdnUrl).searchParams.get("Signature") }));
    // First GET (dropped), a Range that the CDN refuses (403), the Range again with a fresh URL from the Hub.
    assert.equal(cdnGets.length, 3);
    assert.equal(cdnGets[0].range, undefined);
    const sent = hub.droppedAt.get(sha256(ckpt))!;
    const resumedAt = Number(cdnGets[2].range?.match(/^bytes=(\d+)-$/)?.[1]);
    assert.ok(resumedAt > 0 && resumedAt <= sent, `resumed at ${resumedAt}, server sent ${sent}`);
    assert.equal(new Set(cdnGets.map((g) => g.signature)).size, 3, "every CDN request used a fresh signed URL");
    assert.ok((await readFile(join(fetched.dir, "hyperparams.yaml"))).equals(filesV1.get("hyperparams.yaml")!));
    assertTokenOnlyOnHub();
  });

  test("a storage host that keeps refusing (403) gives up after 3 fresh URLs, in one line", async () => {
    hub.reset({ cdnFailures: [403, 403, 403, 403, 403] });
    await assert.rejects(fetchHubFiles(REPO, FILES, options()), (err: Error) => {
      assert.match(err.message, /embedding_model\.ckpt: the storage host \(127\.0\.0\.1:\d+\) refused the download 4 times \(403: an expired or refused signed URL\)/);
      return !err.message.includes("\n");
    });
    assert.equal(hub.cdnLog.length, 4);
    assertTokenOnlyOnHub();
  });

  test("downloadFile: an existing .part is resumed with one Range; a complete one (416) is kept; an oversized one restarts", async () => {
    const ckpt = filesV1.get("embedding_model.ckpt")!;
    const url = `${hub.hubUrl}/${REPO}/resolve/${c1}/embedding_model.ckpt`;
    const dest = join(cacheDir, "model.ckpt");
    const expected = { algorithm: "sha256" as const, digest: sha256(ckpt) };
    const kept = 1_000_003;
    await writeFile(`${dest}.part`, ckpt.subarray(0, kept));
    const resumed = await downloadFile(url, dest, { expected, headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(resumed.resumedFrom, kept);
    assert.deepEqual(hub.cdnLog.map((r) => r.range), [`bytes=${kept}-`]);
    assert.ok((await readFile(dest)).equals(ckpt));
    assert.equal(existsSync(`${dest}.part`), false);
    assertTokenOnlyOnHub();

    hub.reset();
    await writeFile(`${dest}.part`, ckpt);
    assert.equal((await downloadFile(url, dest, { expected })).resumedFrom, ckpt.length);
    assert.deepEqual(hub.cdnLog.map((r) => r.range), [`bytes=${ckpt.length}-`]);

    hub.reset();
    await writeFile(`${dest}.part`, Buffer.concat([ckpt, Buffer.from("extra")]));
    await downloadFile(url, dest, { expected });
    assert.deepEqual(hub.cdnLog.map((r) => r.range), [`bytes=${ckpt.length + 5}-`, undefined]);
    assert.ok((await readFile(dest)).equals(ckpt));
  });

  test("a corrupted LFS body fails the X-Linked-Etag sha256 (not the Xet hash); nothing is left behind", async () => {
    hub.reset({ corrupt: true });
    const ckpt = filesV1.get("embedding_model.ckpt")!;
    await assert.rejects(fetchHubFiles(REPO, FILES, options()), (err: Error) => {
      assert.match(err.message, /embedding_model\.ckpt: checksum mismatch \(expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}\)/);
      assert.ok(err.message.includes(sha256(ckpt)));
      return !err.message.includes("\n");
    });
    const dir = modelCacheDir(cacheDir, REPO, c1);
    assert.equal(existsSync(join(dir, "embedding_model.ckpt")), false);
    assert.equal(existsSync(join(dir, "embedding_model.ckpt.part")), false);
  });

  test("a regular file that does not match its git blob sha1 ETag is refused", async () => {
    const dest = join(cacheDir, "h.yaml");
    const wrong = "0".repeat(40);
    const url = `${hub.hubUrl}/${REPO}/resolve/main/hyperparams.yaml`;
    await assert.rejects(downloadFile(url, dest, { expected: { algorithm: "git-sha1", digest: wrong } }), /checksum mismatch \(expected git-sha1 0{40}, got [0-9a-f]{40}\)/);
    const ok = await downloadFile(url, dest, { expected: { algorithm: "git-sha1", digest: gitBlobSha1(filesV1.get("hyperparams.yaml")!) } });
    assert.equal(ok.size, filesV1.get("hyperparams.yaml")!.length);
  });

  test("404s and 401 give one-line messages", async () => {
    await assert.rejects(fetchHubFiles("speechbrain/no-such-model", FILES, options({ revision: "v1" })), {
      message: `${hub.hubUrl}/speechbrain/no-such-model/resolve/v1/hyperparams.yaml: not found (404) — check the model id and revision`,
    });
    await assert.rejects(fetchHubFiles(REPO, FILES, options({ revision: "nope" })), /resolve\/nope\/hyperparams\.yaml: revision not found \(404\)/);
    await assert.rejects(fetchHubFiles(REPO, ["missing.bin"], options()), /missing\.bin: the repository has no such file \(404\)/);
    hub.reset({ deny: true });
    await assert.rejects(fetchHubFiles(REPO, FILES, options()), /: access denied \(401\) — the model is gated or private.*HF_TOKEN/);
  });

  test("HTTP_PROXY is used for every request (Hub and CDN); NO_PROXY bypasses it", async () => {
    const proxy = new FakeProxy();
    await proxy.start();
    try {
      const fetched = await fetchHubFiles(REPO, FILES, options({ env: cleanEnv({ HTTP_PROXY: proxy.url }) }));
      assert.ok((await readFile(join(fetched.dir, "embedding_model.ckpt"))).equals(filesV1.get("embedding_model.ckpt")!));
      const proxied = proxy.log.map((line) => line.split(" ")[1]);
      assert.equal(proxy.log.length, hub.hubLog.length + hub.cdnLog.length);
      assert.ok(proxied.some((url) => url.startsWith(`${hub.hubUrl}/`)) && proxied.some((url) => url.startsWith(`${hub.cdnUrl}/`)));
      assertTokenOnlyOnHub();

      proxy.log.length = 0;
      await fetchHubFiles(REPO, FILES, options({ cacheDir: join(work, "np"), env: cleanEnv({ HTTP_PROXY: proxy.url, NO_PROXY: "127.0.0.1" }) }));
      assert.deepEqual(proxy.log, []);
    } finally {
      await proxy.stop();
    }
  });

  test("without HF_TOKEN, the token `huggingface-cli login` saved is used (on the Hub only)", async () => {
    const home = await mkdtemp(join(work, "hf-home-"));
    await writeFile(join(home, "token"), `${TOKEN}\n`);
    await fetchHubFiles(REPO, FILES, options({ token: undefined, env: cleanEnv({ HF_HOME: home }) }));
    assertTokenOnlyOnHub();
  });

  test("a proxy that is down is named in the offline message", async () => {
    const port = await closedPort();
    await assert.rejects(fetchHubFiles(REPO, FILES, options({ env: cleanEnv({ HTTP_PROXY: `http://127.0.0.1:${port}` }) })), {
      message: `cannot reach proxy 127.0.0.1:${port} (ECONNREFUSED): you seem to be offline; download hyperparams.yaml and embedding_model.ckpt by hand (${hub.hubUrl}/${REPO}) into a folder and run \`voxlab model import <folder>\``,
    });
  });

  test("HF_HUB_OFFLINE=1: the cache only, no request; a one-line error when it lacks the files", async () => {
    await assert.rejects(fetchHubFiles(REPO, FILES, options({ env: cleanEnv({ HF_HUB_OFFLINE: "1" }) })), (err: Error) => {
      assert.match(err.message, /^HF_HUB_OFFLINE is set and speechbrain\/spkrec-test@main is not cached \(looked in .*\); unset HF_HUB_OFFLINE to download it$/);
      return true;
    });
    assert.deepEqual([...hub.hubLog, ...hub.cdnLog], []);
    await fetchHubFiles(REPO, FILES, options());
    hub.reset();
    const offline = await fetchHubFiles(REPO, FILES, options({ env: cleanEnv({ HF_HUB_OFFLINE: "1" }) }));
    assert.equal(offline.manifest.commit, c1);
    assert.deepEqual([...hub.hubLog, ...hub.cdnLog], []);
  });

  test("an unreachable Hub falls back to what the branch last pointed to", async () => {
    await fetchHubFiles(REPO, FILES, options());
    const fetched = await fetchHubFiles(REPO, FILES, options({ endpoint: `http://127.0.0.1:${await closedPort()}` }));
    assert.equal(fetched.manifest.commit, c1);
    assert.equal(fetched.servedBy, "voxlab-cache");
  });

  describe("the user's Hugging Face cache (read only)", () => {
    /** The HF cache fixture for REPO at c1 holding filesV1; `tamper` damages it afterwards. */
    async function makeHfCache(root: string, tamper?: (blobs: string, names: Map<string, string>) => Promise<void>): Promise<string> {
      const { repoDir, blobs, names } = await writeHfCache(root, REPO, filesV1, c1, lfs);
      await tamper?.(blobs, names);
      return repoDir;
    }

    const listing = async (dir: string): Promise<string> => JSON.stringify(await readdir(dir, { recursive: true }));

    test("a commit in the HF cache is used with no request at all, and the cache is not written", async () => {
      hfCache = join(work, "hf-1");
      const repoDir = await makeHfCache(hfCache);
      const before = await listing(hfCache);
      const fetched = await fetchHubFiles(REPO, FILES, options({ revision: c1, endpoint: `http://127.0.0.1:${await closedPort()}` }));
      assert.equal(fetched.servedBy, "hf-cache");
      assert.equal(fetched.dir, join(repoDir, "snapshots", c1));
      assert.ok((await readFile(join(fetched.dir, "embedding_model.ckpt"))).equals(filesV1.get("embedding_model.ckpt")!));
      assert.deepEqual(fetched.downloaded, []);
      assert.deepEqual(Object.values(fetched.manifest.files).map((f) => f.verified), [true, true]);
      assert.equal(await listing(hfCache), before);
      assert.deepEqual(await readdir(cacheDir), [], "nothing written to VoxLab's cache either");
    });

    test("HF_HUB_OFFLINE=1 with main: refs/main names the snapshot, no request", async () => {
      hfCache = join(work, "hf-2");
      await makeHfCache(hfCache);
      const fetched = await fetchHubFiles(REPO, FILES, options({ env: cleanEnv({ HF_HUB_OFFLINE: "1", HF_HUB_CACHE: hfCache }), hfCacheDir: undefined }));
      assert.equal(fetched.servedBy, "hf-cache");
      assert.equal(fetched.manifest.commit, c1);
      assert.deepEqual([...hub.hubLog, ...hub.cdnLog], []);
    });

    test("online with main: one HEAD learns the commit, then the HF cache serves it", async () => {
      hfCache = join(work, "hf-3");
      await makeHfCache(hfCache);
      const fetched = await fetchHubFiles(REPO, FILES, options());
      assert.equal(fetched.servedBy, "hf-cache");
      assert.deepEqual(hub.cdnLog, []);
      assert.ok(hub.hubLog.every((r) => r.method === "HEAD"));
    });

    test("a blob that does not hash to its name, or an *.incomplete one, is not trusted: the files are downloaded", async () => {
      hfCache = join(work, "hf-4");
      await makeHfCache(hfCache, async (blobs, names) => {
        await writeFile(join(blobs, names.get("embedding_model.ckpt")!), bytesOf(100, 9)); // truncated / overwritten
      });
      const fetched = await fetchHubFiles(REPO, FILES, options({ revision: c1 }));
      assert.equal(fetched.servedBy, "hub");
      assert.equal(fetched.dir, modelCacheDir(cacheDir, REPO, c1));

      hfCache = join(work, "hf-5");
      const repoDir = await makeHfCache(hfCache, async (blobs, names) => {
        const name = names.get("embedding_model.ckpt")!;
        await rm(join(blobs, name));
        await writeFile(join(blobs, `${name}.incomplete`), filesV1.get("embedding_model.ckpt")!);
      });
      await rm(join(repoDir, "snapshots", c1, "embedding_model.ckpt"));
      await symlink(join("..", "..", "blobs", `${sha256(filesV1.get("embedding_model.ckpt")!)}.incomplete`), join(repoDir, "snapshots", c1, "embedding_model.ckpt"));
      hub.reset();
      const again = await fetchHubFiles(REPO, FILES, options({ revision: c1, cacheDir: join(work, "c5") }));
      assert.equal(again.servedBy, "hub");
      assert.ok(hub.cdnLog.length > 0);
    });
  });
});

/** The resolve-cache path the Hub's relative 307 pointed to (from the log), to compare request lists exactly. */
function expect307Target(log: { path: string }[]): string {
  const target = log.find((r) => r.path.startsWith("/api/resolve-cache/"));
  assert.ok(target, "no request followed the relative 307");
  return `HEAD ${target.path}`;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("model fetch over HTTPS through a CONNECT proxy", () => {
  const run = promisify(execFile);
  let work = "";
  let tls: { key: string; cert: string } | undefined;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), "voxlab-tls-"));
    try {
      await run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
        "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", join(work, "key.pem"), "-out", join(work, "cert.pem")]);
      tls = { key: await readFile(join(work, "key.pem"), "utf8"), cert: await readFile(join(work, "cert.pem"), "utf8") };
    } catch {
      tls = undefined;
    }
  });
  after(() => rm(work, { recursive: true, force: true }));

  test("HTTPS_PROXY: the Hub is reached through a CONNECT tunnel (TLS end to end), the token only on the Hub", async (t) => {
    if (!tls) return t.skip("openssl is not installed (needed to make a throw-away certificate)");
    const hub = new FakeHub(tls);
    const proxy = new FakeProxy();
    await hub.start();
    await proxy.start();
    try {
      const commit = hub.publish(REPO, filesV1, lfs);
      // This process does not trust the throw-away certificate: the message says what to do.
      const inProcess = { cacheDir: join(work, "untrusted"), hfCacheDir: join(work, "hf"), endpoint: hub.hubUrl, env: { HTTPS_PROXY: proxy.url } };
      await assert.rejects(fetchHubFiles(REPO, FILES, inProcess), { name: "VoxlabError", message: /^127\.0\.0\.1:\d+: TLS certificate not trusted \([A-Z_]+\); .*NODE_EXTRA_CA_CERTS/ });
      assert.ok(proxy.log.includes(`CONNECT ${new URL(hub.hubUrl).host}`));
      // A child process, because Node reads extra CA certificates only at start-up (as a user behind a TLS proxy would).
      const script = `
        import { fetchHubFiles } from ${JSON.stringify(join(repoRoot, "src", "models", "hub", "fetch.ts"))};
        const f = await fetchHubFiles(${JSON.stringify(REPO)}, ${JSON.stringify(FILES)}, { cacheDir: ${JSON.stringify(join(work, "cache"))}, hfCacheDir: ${JSON.stringify(join(work, "hf"))} });
        console.log(JSON.stringify(f.manifest));`;
      const env = { PATH: process.env.PATH, HOME: work, NODE_EXTRA_CA_CERTS: join(work, "cert.pem"), HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, HF_ENDPOINT: hub.hubUrl, HF_TOKEN: TOKEN };
      const { stdout } = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { env, cwd: repoRoot });
      const manifest = JSON.parse(stdout) as FetchManifest;
      assert.equal(manifest.commit, commit);
      assert.equal(manifest.files["embedding_model.ckpt"].sha256, sha256(filesV1.get("embedding_model.ckpt")!));
      const hubAuthority = new URL(hub.hubUrl).host;
      assert.ok(proxy.log.length > 0 && proxy.log.includes(`CONNECT ${hubAuthority}`), proxy.log.join("; "));
      assert.ok(proxy.log.some((line) => line.startsWith(`GET ${hub.cdnUrl}/`)), "the http CDN went through HTTP_PROXY");
      assert.ok(hub.hubLog.every((r) => r.authorization === `Bearer ${TOKEN}`) && hub.cdnLog.every((r) => r.authorization === undefined));
    } finally {
      await proxy.stop();
      await hub.stop();
    }
  });
});

test("voxlab model fetch → import writes an ONNX model that names its source and commit", { skip: needShared }, async () => {
  const hub = new FakeHub();
  await hub.start();
  const work = await mkdtemp(join(tmpdir(), "voxlab-fetch-cli-"));
  try {
    const files = new Map(FILES.map((f) => [f, Buffer.from("")]));
    for (const file of FILES) files.set(file, await readFile(fixture("speechbrain-ecapa", "c256", file)));
    const commit = hub.publish(REPO, files, lfs);
    const { Command } = await import("commander");
    const { registerModelFetch } = await import("../../../src/cli/commands/model-fetch.ts");
    const onnxProto = (await import("onnx-proto")).default;
    const program = new Command().exitOverride();
    registerModelFetch(program.command("model"));
    const out = join(work, "out", "model.onnx");
    await program.parseAsync(["model", "fetch", REPO, "--endpoint", hub.hubUrl, "--cache-dir", join(work, "cache"), "--out", out], { from: "user" });
    const model = onnxProto.onnx.ModelProto.decode(await readFile(out));
    const props = Object.fromEntries((model.metadataProps ?? []).map((e) => [e.key, e.value]));
    assert.equal(props.source, `${REPO}@main`);
    assert.equal(props.commit, commit);
  } finally {
    await hub.stop();
    await rm(work, { recursive: true, force: true });
  }
});

test("cli: HF_HUB_OFFLINE=1 with the model in the Hugging Face cache: imported with no request, stderr names the cache", { skip: needShared }, async () => {
  const hub = new FakeHub();
  await hub.start();
  const work = await mkdtemp(join(tmpdir(), "voxlab-fetch-offline-"));
  try {
    const files = new Map<string, Buffer>();
    for (const file of FILES) files.set(file, await readFile(fixture("speechbrain-ecapa", "c256", file)));
    const commit = "1234567890abcdef1234567890abcdef12345678";
    const { snapshot } = await writeHfCache(join(work, "hf"), REPO, files, commit, lfs);
    const out = join(work, "m.onnx");
    const env = { PATH: process.env.PATH, HOME: work, HF_HUB_OFFLINE: "1", HF_HUB_CACHE: join(work, "hf"), VOXLAB_CACHE: join(work, "vc"), HF_ENDPOINT: hub.hubUrl };
    const cli = [join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs"), join(repoRoot, "src", "cli", "main.ts")];
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [...cli, "model", "fetch", REPO, "--out", out], { env });
    assert.equal(stderr, `${REPO}@main = ${commit}: files from the Hugging Face cache (${snapshot})\n`);
    assert.match(stdout, /^wrote .*m\.onnx \(imported SpeechBrain ECAPA-TDNN, 192-d; from .*\)\n$/);
    assert.deepEqual([...hub.hubLog, ...hub.cdnLog], []);
    const { readOnnxMetadata } = await import("../../../src/models/metadata.ts");
    assert.equal(readOnnxMetadata(await readFile(out), out).commit, commit);
  } finally {
    await hub.stop();
    await rm(work, { recursive: true, force: true });
  }
});
