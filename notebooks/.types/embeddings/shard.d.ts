/// <reference types="node" resolution-mode="require"/>
export interface Shard {
    /** 0-based. */
    index: number;
    count: number;
}
/** `i/N` with 0 ≤ i < N. */
export declare function parseShard(text: string): Shard;
/**
 * The shard of this job when `--shard` is not given: a Slurm array task (SLURM_ARRAY_TASK_ID relative
 * to SLURM_ARRAY_TASK_MIN, of SLURM_ARRAY_TASK_COUNT) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX,
 * of `count`, which Kubernetes does not put in the environment). Undefined outside both.
 */
export declare function shardFromEnvironment(env: NodeJS.ProcessEnv, count?: number): Shard | undefined;
/** Items i, i+N, i+2N, …: shards of equal size whatever the list's order of lengths. */
export declare function selectShard<T>(items: readonly T[], shard: Shard): T[];
