export declare const DEMO_SENTENCES: readonly string[];
