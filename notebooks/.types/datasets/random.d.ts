/** A function returning uniform floats in [0, 1). */
export type Random = () => number;
/** mulberry32: 32-bit state, good enough statistics for sampling trials, identical on every platform. */
export declare function mulberry32(seed: number): Random;
/** A uniform integer in [0, n). */
export declare function randomInt(random: Random, n: number): number;
/** Fisher–Yates shuffle, in place; returns the same array. */
export declare function shuffleInPlace<T>(random: Random, items: T[]): T[];
