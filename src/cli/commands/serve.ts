import type { Command } from "commander";
import {
  checkServeCalibration,
  DEFAULT_THRESHOLD,
  defaultModelPath,
  parseCentroidMethod,
  priorThreshold,
  readCalibration,
  thresholdFromMetrics,
  VoxlabError,
  VoxlabService,
  type ServeCalibration,
  type ServeThreshold,
} from "../../index.ts";
import { optionalPositive, parseFinite, parseNonNegativeInteger, parsePositive, parsePrior } from "../flags.ts";

/** The target prior of posteriors when --target-prior is not given. */
const POSTERIOR_PRIOR = 0.5;

interface ServeFlags {
  host: string;
  port: string;
  model?: string;
  db: string;
  audioRoot: string[];
  threshold?: string;
  thresholdFrom?: string;
  token?: string;
  maxUploadMb: string;
  maxAudioSeconds: string;
  concurrency: string;
  queue: string;
  maxBatch: string;
  centroidMethod: string;
  shutdownTimeout: string;
  bodyMemoryMb?: string;
  bodyTimeout: string;
  maxConnections: string;
  threads?: string;
  calibration?: string;
  targetPrior?: string;
}

/** Bodies in memory at once by default: one per running job, and two more arriving or waiting. */
const BODY_MEMORY_SLOTS = 2;

/** --calibration and --target-prior: llr and posteriors in the answers; with --target-prior, decisions at that prior. */
async function chooseCalibration(flags: ServeFlags): Promise<ServeCalibration | undefined> {
  if (flags.calibration === undefined) {
    if (flags.targetPrior !== undefined) throw new VoxlabError("--target-prior needs --calibration <calib.json> (a voxlab calibrate output)");
    return undefined;
  }
  const decideAtPrior = flags.targetPrior !== undefined;
  if (decideAtPrior && (flags.threshold !== undefined || flags.thresholdFrom !== undefined)) {
    throw new VoxlabError("--target-prior decides at the Bayes threshold of that prior: drop --threshold/--threshold-from");
  }
  const calibration = await readCalibration(flags.calibration);
  const served = { calibration, source: flags.calibration, prior: decideAtPrior ? parsePrior(flags.targetPrior ?? "", "--target-prior") : POSTERIOR_PRIOR, decideAtPrior };
  checkServeCalibration(served);
  return served;
}

async function chooseThreshold(flags: ServeFlags, calibration: ServeCalibration | undefined): Promise<ServeThreshold> {
  if (calibration?.decideAtPrior) return priorThreshold(calibration);
  if (flags.threshold !== undefined && flags.thresholdFrom !== undefined) throw new VoxlabError("pass --threshold or --threshold-from, not both");
  if (flags.thresholdFrom !== undefined) return thresholdFromMetrics(flags.thresholdFrom);
  if (flags.threshold !== undefined) return { value: parseFinite(flags.threshold, "--threshold"), source: "--threshold" };
  return { value: DEFAULT_THRESHOLD, source: "the default (SpeechBrain's 0.25; tune it with voxlab eval and pass --threshold-from)" };
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `voxlab serve`: the embedding and verification HTTP service. */
export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("HTTP service: embeddings, speaker enrollment (SQLite), verification and identification")
    .option("--host <host>", "address to listen on (a non-loopback host needs --token)", "127.0.0.1")
    .option("--port <n>", "port (0: any free port)", "5001")
    .option("--model <model.onnx>", "ONNX embedding model (default: the built-in model)")
    .option("--db <file>", "SQLite database of speaker profiles", "voxlab-speakers.db")
    .option("--audio-root <dir>", "directory that audio_path may name files under (repeatable; none: uploads only)", collect, [])
    .option("--threshold <x>", "cosine decision threshold for verify/identify")
    .option("--threshold-from <metrics.json[:key]>", "take the threshold from a voxlab eval/run metrics.json (default key min_dcf_p0.01_threshold)")
    .option("--token <token>", "bearer token required on every request (or VOXLAB_TOKEN)")
    .option("--max-upload-mb <n>", "largest audio body or file, MiB", "25")
    .option("--max-audio-seconds <s>", "longest audio accepted, seconds", "120")
    .option("--concurrency <n>", "embedding jobs run at once", "1")
    .option("--queue <n>", "embedding jobs that may wait; more are refused with 503", "32")
    .option("--max-batch <n>", "files per batch or enrollment request", "64")
    .option("--centroid-method <m>", "mean-normalized | raw-mean | sum-normalize", "mean-normalized")
    .option("--shutdown-timeout <s>", "seconds to finish in-flight work on SIGTERM/SIGINT", "10")
    .option("--body-memory-mb <n>", "MiB all request bodies held at once may take; more get 503 (default: max-upload-mb × (concurrency + 2))")
    .option("--body-timeout <s>", "seconds a client has to send its whole request; 408 after", "30")
    .option("--max-connections <n>", "connections open at once; more are closed on arrival", "256")
    .option("--threads <n>", "ONNX Runtime intra-op threads")
    .option("--calibration <calib.json>", "a voxlab calibrate output: verify/identify also return llr and the posterior of a target")
    .option("--target-prior <P>", `with --calibration: the prior of the posteriors (default ${POSTERIOR_PRIOR}), and decide llr >= -logit(P) instead of at a raw threshold`)
    .action(async (flags: ServeFlags) => {
      const port = parseNonNegativeInteger(flags.port, "--port");
      if (port > 65535) throw new VoxlabError(`--port must be at most 65535, got ${port}`);
      const calibration = await chooseCalibration(flags);
      const threshold = await chooseThreshold(flags, calibration);
      const maxUploadMb = parsePositive(flags.maxUploadMb, "--max-upload-mb", false);
      const concurrency = parsePositive(flags.concurrency, "--concurrency", true);
      const bodyMemoryMb = optionalPositive(flags.bodyMemoryMb, "--body-memory-mb", false) ?? maxUploadMb * (concurrency + BODY_MEMORY_SLOTS);
      if (bodyMemoryMb < maxUploadMb) throw new VoxlabError(`--body-memory-mb (${bodyMemoryMb}) must be at least --max-upload-mb (${maxUploadMb}), or no upload could be received`);
      const service = await VoxlabService.create({
        host: flags.host,
        port,
        modelPath: flags.model ?? defaultModelPath(),
        dbPath: flags.db,
        audioRoots: flags.audioRoot,
        threshold,
        calibration,
        token: flags.token ?? process.env.VOXLAB_TOKEN,
        maxUploadBytes: Math.floor(maxUploadMb * 2 ** 20),
        maxAudioSeconds: parsePositive(flags.maxAudioSeconds, "--max-audio-seconds", false),
        concurrency,
        queueLength: parseNonNegativeInteger(flags.queue, "--queue"),
        maxBatch: parsePositive(flags.maxBatch, "--max-batch", true),
        centroidMethod: parseCentroidMethod(flags.centroidMethod, "--centroid-method"),
        shutdownTimeoutMs: parsePositive(flags.shutdownTimeout, "--shutdown-timeout", false) * 1000,
        bodyMemoryBytes: Math.floor(bodyMemoryMb * 2 ** 20),
        bodyTimeoutMs: Math.round(parsePositive(flags.bodyTimeout, "--body-timeout", false) * 1000),
        maxConnections: parsePositive(flags.maxConnections, "--max-connections", true),
        intraOpThreads: optionalPositive(flags.threads, "--threads", true),
      });
      const log = (line: string): boolean => process.stderr.write(`voxlab serve: ${line}\n`);
      log(`threshold ${threshold.value} (${threshold.source})`);
      if (calibration) log(`calibration ${calibration.source}: llr = ${calibration.calibration.scale} · score + ${calibration.calibration.offset}; posteriors at target prior ${calibration.prior}`);
      const url = await service.listen();
      log(`database ${flags.db}; audio roots: ${flags.audioRoot.length > 0 ? flags.audioRoot.join(", ") : "none (uploads only)"}`);
      // The last start-up line: scripts (and the tests) wait for it.
      process.stdout.write(`listening on ${url}\n`);
      const finished = await new Promise<boolean>((resolve) => {
        const stop = (signal: NodeJS.Signals): void => {
          log(`${signal}: finishing in-flight work (up to ${flags.shutdownTimeout} s), then stopping`);
          void service.close().then(resolve);
        };
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
      });
      log(finished ? "stopped" : "shutdown deadline passed: in-flight work abandoned");
      // Native handles (ONNX Runtime) must not keep an abandoned shutdown alive.
      process.exit(finished ? 0 : 1);
    });
}
