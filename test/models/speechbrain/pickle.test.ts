import assert from "node:assert/strict";
import { test } from "node:test";
import { VoxlabError } from "../../../src/core/errors.ts";
import { PickleCall, PickleDict, PickleGlobal, PickleTuple, readPickle } from "../../../src/models/speechbrain/pickle.ts";

/** Pickle bytes from opcodes: numbers are bytes, strings are written as latin-1 bytes. */
function bytes(...parts: (number | string | number[])[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === "number") out.push(p);
    else if (typeof p === "string") for (const ch of p) out.push(ch.charCodeAt(0));
    else out.push(...p);
  }
  return Uint8Array.from(out);
}
const u32 = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
const binunicode = (s: string): number[] => {
  const utf8 = [...new TextEncoder().encode(s)];
  return [0x58, ...u32(utf8.length), ...utf8];
};

test("pickle: scalars, strings and containers", () => {
  // {"a": [1, -2, 300, 70000, True, None], "é": (1.5,), "s": "xy"} with memo reuse
  const data = bytes(
    0x80, 2, // PROTO 2
    0x7d, // EMPTY_DICT
    0x71, 0, // BINPUT 0
    0x28, // MARK
    0x8c, 1, "a", // SHORT_BINUNICODE "a"
    0x5d, // EMPTY_LIST
    0x28, // MARK
    0x4b, 1, // BININT1 1
    0x4a, u32(-2 >>> 0), // BININT -2
    0x4d, 0x2c, 0x01, // BININT2 300
    0x8a, 3, 0x70, 0x11, 0x01, // LONG1 70000
    0x88, // NEWTRUE
    0x4e, // NONE
    0x65, // APPENDS
    binunicode("é"),
    0x47, [0x3f, 0xf8, 0, 0, 0, 0, 0, 0], // BINFLOAT 1.5 (big-endian)
    0x85, // TUPLE1
    0x55, 1, "s", // SHORT_BINSTRING "s"
    0x8c, 2, "xy",
    0x75, // SETITEMS
    0x2e, // STOP
  );
  const v = readPickle(data);
  assert.ok(v instanceof PickleDict);
  assert.deepEqual(v.get("a"), [1, -2, 300, 70000, true, null]);
  const t = v.get("é");
  assert.ok(t instanceof PickleTuple);
  assert.deepEqual(t.items, [1.5]);
  assert.equal(v.get("s"), "xy");
});

test("pickle: GLOBAL, STACK_GLOBAL, REDUCE, BUILD, memo and persistent ids", () => {
  const data = bytes(
    0x80, 4,
    0x95, [20, 0, 0, 0, 0, 0, 0, 0], // FRAME (a hint)
    0x63, "collections\nOrderedDict\n", // GLOBAL
    0x94, // MEMOIZE -> 0
    0x29, 0x52, // EMPTY_TUPLE, REDUCE
    0x94, // MEMOIZE -> 1
    0x8c, 1, "k",
    0x8c, 5, "torch", 0x8c, 5, "Thing", 0x93, // STACK_GLOBAL torch.Thing
    0x8c, 3, "pid", 0x85, 0x51, // ("pid",) BINPERSID
    0x4b, 7, 0x86, // TUPLE2 (persistent, 7)
    0x52, // REDUCE torch.Thing(persistent, 7)
    0x7d, 0x8c, 1, "z", 0x4b, 9, 0x73, // {"z": 9} (EMPTY_DICT, SETITEM)
    0x62, // BUILD
    0x73, // SETITEM into the OrderedDict
    0x68, 0, // BINGET 0 (the OrderedDict global again)
    0x6a, u32(1), // LONG_BINGET 1 (the dict)
    0x86, 0x2e, // TUPLE2, STOP
  );
  const result = readPickle(data, {
    persistentLoad: (pid) => (pid instanceof PickleTuple ? `loaded:${String(pid.items[0])}` : null),
    reduce: (fn, args) => (fn instanceof PickleGlobal && fn.qualifiedName === "collections.OrderedDict" && args.length === 0 ? new PickleDict() : undefined),
  });
  assert.ok(result instanceof PickleTuple);
  const [global, dict] = result.items;
  assert.ok(global instanceof PickleGlobal);
  assert.equal(global.qualifiedName, "collections.OrderedDict");
  assert.ok(dict instanceof PickleDict);
  const call = dict.get("k");
  assert.ok(call instanceof PickleCall);
  assert.ok(call.fn instanceof PickleGlobal && call.fn.qualifiedName === "torch.Thing");
  assert.deepEqual(call.args, ["loaded:pid", 7]);
  assert.ok(call.state instanceof PickleDict);
  assert.equal(call.state.get("z"), 9);
});

test("pickle: negative and wide LONG1 values", () => {
  assert.equal(readPickle(bytes(0x8a, 1, 0xff, 0x2e)), -1);
  assert.equal(readPickle(bytes(0x8a, 0, 0x2e)), 0);
  assert.equal(readPickle(bytes(0x8a, 9, [0, 0, 0, 0, 0, 0, 0, 0, 1], 0x2e)), 2n ** 64n);
});

test("pickle: unknown opcodes, truncation and a missing loader are one-line errors", () => {
  assert.throws(() => readPickle(bytes(0x80, 2, 0x49, "1\n", 0x2e), {}, "x.pkl"), (err: Error) => {
    assert.ok(err instanceof VoxlabError);
    assert.match(err.message, /^x\.pkl: unsupported pickle opcode 0x49 at byte 2$/);
    return true;
  });
  assert.throws(() => readPickle(bytes(0x58, u32(10), "ab")), /truncated pickle/);
  assert.throws(() => readPickle(bytes(0x4e, 0x85, 0x51, 0x2e)), /persistent id without a loader/);
  assert.throws(() => readPickle(bytes(0x68, 3, 0x2e)), /memo key 3 not found/);
  assert.throws(() => readPickle(bytes(0x2e)), /stack underflow/);
});
