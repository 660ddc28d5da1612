// Splitting a long list across the jobs of a scheduler (Slurm job arrays, Kubernetes Indexed Jobs).
import { VoxlabError } from "../core/errors.ts";

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}

/** `i/N` with 0 ≤ i < N. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const shard = m ? { index: Number(m[1]), count: Number(m[2]) } : undefined;
  if (!shard || shard.count < 1 || shard.index >= shard.count) throw new VoxlabError(`--shard must be i/N with 0 <= i < N, got "${text}"`);
  return shard;
}

/**
 * The shard of this job when `--shard` is not given: a Slurm array task (SLURM_ARRAY_TASK_ID relative
 * to SLURM_ARRAY_TASK_MIN, of SLURM_ARRAY_TASK_COUNT) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX,
 * of `count`, which Kubernetes does not put in the environment). Undefined outside both.
 */
export function shardFromEnvironment(env: NodeJS.ProcessEnv, count?: number): Shard | undefined {
  if (env.SLURM_ARRAY_TASK_ID !== undefined && env.SLURM_ARRAY_TASK_COUNT !== undefined) {
    const id = Number(env.SLURM_ARRAY_TASK_ID) - Number(env.SLURM_ARRAY_TASK_MIN ?? 0);
    return parseShard(`${id}/${env.SLURM_ARRAY_TASK_COUNT}`);
  }
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    if (count === undefined) throw new VoxlabError("JOB_COMPLETION_INDEX is set: pass --shards <N> (the Indexed Job's completions)");
    return parseShard(`${env.JOB_COMPLETION_INDEX}/${count}`);
  }
  return undefined;
}

/** Items i, i+N, i+2N, …: shards of equal size whatever the list's order of lengths. */
export function selectShard<T>(items: readonly T[], shard: Shard): T[] {
  return items.filter((_, k) => k % shard.count === shard.index);
}
