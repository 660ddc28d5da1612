/** A `module.name` reference (GLOBAL / STACK_GLOBAL). */
export declare class PickleGlobal {
    readonly module: string;
    readonly name: string;
    constructor(module: string, name: string);
    get qualifiedName(): string;
}
/** A call `fn(*args)` that the reader does not know how to perform, with any BUILD state applied later. */
export declare class PickleCall {
    readonly fn: PickleValue;
    readonly args: PickleValue[];
    state: PickleValue;
    constructor(fn: PickleValue, args: PickleValue[]);
}
/** Base class for the values that hooks create (e.g. a torch storage or tensor). */
export declare abstract class PickleExtension {
    private readonly extensionBrand;
}
/** A Python tuple (a list is a plain array). */
export declare class PickleTuple {
    readonly items: PickleValue[];
    constructor(items: PickleValue[]);
}
/** A Python dict; insertion order kept, like an OrderedDict. */
export declare class PickleDict extends Map<PickleValue, PickleValue> {
}
export type PickleValue = null | boolean | number | bigint | string | Uint8Array | PickleValue[] | PickleTuple | PickleDict | PickleGlobal | PickleCall | PickleExtension;
export interface PickleHooks {
    /** BINPERSID / PERSID: turns a persistent id into a value. Without it such ids are an error. */
    persistentLoad?: (pid: PickleValue) => PickleValue;
    /** REDUCE: returns a value for `fn(*args)`, or undefined to keep it as a PickleCall. */
    reduce?: (fn: PickleValue, args: PickleValue[]) => PickleValue | undefined;
}
/** Parses pickle bytes; `name` prefixes error messages (a file path). */
export declare function readPickle(bytes: Uint8Array, hooks?: PickleHooks, name?: string): PickleValue;
