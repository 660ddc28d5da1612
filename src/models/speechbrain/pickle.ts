// A small reader for the Python pickle opcodes that `torch.save(state_dict)` writes (protocols 2-5).
// It does not execute anything: GLOBAL names become PickleGlobal values and REDUCE/BUILD calls become
// PickleCall values, unless the caller's `reduce` hook turns them into something concrete.
import { VoxlabError } from "../../core/errors.ts";

/** A `module.name` reference (GLOBAL / STACK_GLOBAL). */
export class PickleGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A call `fn(*args)` that the reader does not know how to perform, with any BUILD state applied later. */
export class PickleCall {
  state: PickleValue = null;
  constructor(
    readonly fn: PickleValue,
    readonly args: PickleValue[],
  ) {}
}

/** Base class for the values that hooks create (e.g. a torch storage or tensor). */
export abstract class PickleExtension {
  declare private readonly extensionBrand: void; // nominal: plain objects are not extensions
}

/** A Python tuple (a list is a plain array). */
export class PickleTuple {
  constructor(readonly items: PickleValue[]) {}
}

/** A Python dict; insertion order kept, like an OrderedDict. */
export class PickleDict extends Map<PickleValue, PickleValue> {}

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | PickleTuple
  | PickleDict
  | PickleGlobal
  | PickleCall
  | PickleExtension;

export interface PickleHooks {
  /** BINPERSID / PERSID: turns a persistent id into a value. Without it such ids are an error. */
  persistentLoad?: (pid: PickleValue) => PickleValue;
  /** REDUCE: returns a value for `fn(*args)`, or undefined to keep it as a PickleCall. */
  reduce?: (fn: PickleValue, args: PickleValue[]) => PickleValue | undefined;
}

const MARK = Symbol("mark");
type StackItem = PickleValue | typeof MARK;

/** Parses pickle bytes; `name` prefixes error messages (a file path). */
export function readPickle(bytes: Uint8Array, hooks: PickleHooks = {}, name = "pickle"): PickleValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder("utf-8");
  const stack: StackItem[] = [];
  const memo = new Map<number, PickleValue>();
  let pos = 0;

  const fail = (what: string): never => {
    throw new VoxlabError(`${name}: ${what} at byte ${pos}`);
  };
  const need = (n: number): void => {
    if (pos + n > bytes.length) fail("truncated pickle");
  };
  const u8 = (): number => {
    need(1);
    return bytes[pos++];
  };
  const u16 = (): number => {
    need(2);
    pos += 2;
    return view.getUint16(pos - 2, true);
  };
  const u32 = (): number => {
    need(4);
    pos += 4;
    return view.getUint32(pos - 4, true);
  };
  const u64 = (): number => {
    need(8);
    pos += 8;
    const big = view.getBigUint64(pos - 8, true);
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) fail("length too large");
    return Number(big);
  };
  const raw = (n: number): Uint8Array => {
    need(n);
    pos += n;
    return bytes.subarray(pos - n, pos);
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail("unterminated text line");
    const s = text.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): PickleValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) fail("stack underflow");
    return v as PickleValue;
  };
  const top = (): PickleValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) fail("stack underflow");
    return v as PickleValue;
  };
  /** Pops everything above the topmost MARK, and the MARK. */
  const popMark = (): PickleValue[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) fail("MARK not found");
    const items = stack.splice(at) as PickleValue[];
    items.shift();
    return items;
  };
  const asDict = (v: PickleValue, op: string): PickleDict => {
    if (v instanceof PickleDict) return v;
    if (v instanceof PickleCall) {
      // e.g. collections.OrderedDict() kept as a call: give it a dict to fill.
      if (v.state instanceof PickleDict) return v.state;
      const dict = new PickleDict();
      v.state = dict;
      return dict;
    }
    return fail(`${op} on a non-dict`);
  };
  const asList = (v: PickleValue, op: string): PickleValue[] => (Array.isArray(v) ? v : fail(`${op} on a non-list`));
  const setItems = (dict: PickleDict, items: PickleValue[]): void => {
    if (items.length % 2 !== 0) fail("SETITEMS with an odd item count");
    for (let i = 0; i < items.length; i += 2) dict.set(items[i], items[i + 1]);
  };
  const longFrom = (b: Uint8Array): number | bigint => {
    // Two's-complement little-endian integer of any width.
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    if (b.length > 0 && b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const call = (fn: PickleValue, args: PickleValue[]): PickleValue =>
    hooks.reduce?.(fn, args) ?? new PickleCall(fn, args);

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail("unsupported pickle protocol");
        break;
      case 0x95: // FRAME (a length hint only)
        u64();
        break;
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        need(4);
        pos += 4;
        stack.push(view.getInt32(pos - 4, true));
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(longFrom(raw(u8())));
        break;
      case 0x8b: // LONG4
        stack.push(longFrom(raw(u32())));
        break;
      case 0x47: // BINFLOAT (big-endian double)
        need(8);
        pos += 8;
        stack.push(view.getFloat64(pos - 8, false));
        break;
      case 0x58: // BINUNICODE
        stack.push(text.decode(raw(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text.decode(raw(u8())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(text.decode(raw(u64())));
        break;
      case 0x54: // BINSTRING (Python 2 str, latin-1 as torch writes it)
        stack.push(new TextDecoder("latin1").decode(raw(u32())));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(new TextDecoder("latin1").decode(raw(u8())));
        break;
      case 0x42: // BINBYTES
        stack.push(raw(u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(raw(u8()).slice());
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new PickleTuple([]));
        break;
      case 0x85: // TUPLE1
        stack.push(new PickleTuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push(new PickleTuple([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(new PickleTuple([pop(), b, c]));
        break;
      }
      case 0x74: // TUPLE
        stack.push(new PickleTuple(popMark()));
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x61: {
        // APPEND
        const v = pop();
        asList(top(), "APPEND").push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        asList(top(), "APPENDS").push(...items);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new PickleDict());
        break;
      case 0x64: {
        // DICT
        const d = new PickleDict();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        asDict(top(), "SETITEM").set(k, v);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(asDict(top(), "SETITEMS"), items);
        break;
      }
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line();
        stack.push(new PickleGlobal(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const n = pop();
        const m = pop();
        if (typeof m !== "string" || typeof n !== "string") fail("STACK_GLOBAL needs two strings");
        stack.push(new PickleGlobal(m as string, n as string));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        if (!(args instanceof PickleTuple)) fail("REDUCE arguments are not a tuple");
        stack.push(call(fn, (args as PickleTuple).items));
        break;
      }
      case 0x81: {
        // NEWOBJ: cls.__new__(cls, *args)
        const args = pop();
        const cls = pop();
        stack.push(call(cls, args instanceof PickleTuple ? args.items : [args]));
        break;
      }
      case 0x62: {
        // BUILD: obj.__setstate__(state); only recorded (torch uses it for the state dict's _metadata)
        const state = pop();
        const obj = top();
        if (obj instanceof PickleCall) obj.state = state;
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!hooks.persistentLoad) fail("persistent id without a loader");
        stack.push(hooks.persistentLoad!(pid));
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const key = op === 0x68 ? u8() : u32();
        if (!memo.has(key)) fail(`memo key ${key} not found`);
        stack.push(memo.get(key)!);
        break;
      }
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      default:
        pos--;
        fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, "0")}`);
    }
  }
}
