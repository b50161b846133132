// Workloads for the fuel overhead benchmark: programs of different shapes, so that no single
// loop shape carries the result. Tight counted loops, nested loops, recursion with and without
// loops, a byte loop over a buffer, and AssemblyScript code through its runtime (allocation,
// the collector, strings, indirect calls to a comparator).
import asc from "assemblyscript/asc";
import wabtInit from "wabt";

export interface FuelWorkload {
  readonly name: string;
  /** The export to time; it takes no arguments and returns a checksum. */
  readonly entry: string;
  readonly bytes: Uint8Array<ArrayBuffer>;
}

/** Every WAT workload gets this much memory: room for the 1 MiB hash buffer and the 1.5 MiB tree. */
const WORKLOAD_MEMORY_PAGES = 64;

const WAT_WORKLOADS: readonly { readonly name: string; readonly wat: string }[] = [
  {
    name: "arithmetic loop (LCG and xorshift, 20M iterations)",
    wat: `(func (export "main") (result i32)
      (local $i i32) (local $acc i32) (local $x i64)
      (local.set $i (i32.const 20000000))
      (local.set $x (i64.const 88172645463325252))
      (loop $again
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 1664525)) (i32.const 1013904223)))
        (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 13))))
        (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 7))))
        (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 17))))
        (local.set $acc (i32.xor (local.get $acc) (i32.wrap_i64 (local.get $x))))
        (br_if $again (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))
      (local.get $acc))`,
  },
  {
    name: "matrix multiply (3 nested loops, 128×128 f64, 8 rounds)",
    wat: `(func (export "main") (result i32)
      (local $round i32) (local $row i32) (local $column i32) (local $k i32) (local $sum f64)
      (loop $rounds
        (local.set $row (i32.const 0))
        (loop $rows
          (local.set $column (i32.const 0))
          (loop $columns
            (local.set $sum (f64.const 0))
            (local.set $k (i32.const 0))
            (loop $inner
              (local.set $sum (f64.add (local.get $sum)
                (f64.mul
                  (f64.load (i32.shl (i32.add (i32.shl (local.get $row) (i32.const 7)) (local.get $k)) (i32.const 3)))
                  (f64.load offset=131072 (i32.shl (i32.add (i32.shl (local.get $k) (i32.const 7)) (local.get $column)) (i32.const 3))))))
              (br_if $inner (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (i32.const 128))))
            (f64.store offset=262144 (i32.shl (i32.add (i32.shl (local.get $row) (i32.const 7)) (local.get $column)) (i32.const 3)) (local.get $sum))
            (br_if $columns (i32.lt_u (local.tee $column (i32.add (local.get $column) (i32.const 1))) (i32.const 128))))
          (br_if $rows (i32.lt_u (local.tee $row (i32.add (local.get $row) (i32.const 1))) (i32.const 128))))
        (br_if $rounds (i32.lt_u (local.tee $round (i32.add (local.get $round) (i32.const 1))) (i32.const 8))))
      (i32.trunc_f64_s (f64.load offset=262144 (i32.const 8))))`,
  },
  {
    name: "recursive fibonacci (fib 30, a call per step)",
    wat: `(func $fib (param $n i32) (result i32)
      (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
        (then (local.get $n))
        (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1))) (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
    (func (export "main") (result i32) (call $fib (i32.const 30)))`,
  },
  {
    name: "quicksort (200k i32, recursion around a partition loop)",
    wat: `(func $fill (param $count i32)
      (local $index i32) (local $seed i32)
      (local.set $seed (i32.const 12345))
      (loop $next
        (local.set $seed (i32.add (i32.mul (local.get $seed) (i32.const 1664525)) (i32.const 1013904223)))
        (i32.store (i32.shl (local.get $index) (i32.const 2)) (i32.shr_u (local.get $seed) (i32.const 8)))
        (br_if $next (i32.lt_u (local.tee $index (i32.add (local.get $index) (i32.const 1))) (local.get $count)))))
    (func $quicksort (param $low i32) (param $high i32)
      (local $pivot i32) (local $store i32) (local $scan i32) (local $value i32) (local $at i32) (local $other i32)
      (if (i32.ge_s (local.get $low) (local.get $high)) (then (return)))
      (local.set $pivot (i32.load (i32.shl (local.get $high) (i32.const 2))))
      (local.set $store (local.get $low))
      (local.set $scan (local.get $low))
      (block $partitioned
        (loop $partition
          (br_if $partitioned (i32.ge_s (local.get $scan) (local.get $high)))
          (local.set $at (i32.shl (local.get $scan) (i32.const 2)))
          (local.set $value (i32.load (local.get $at)))
          (if (i32.lt_s (local.get $value) (local.get $pivot))
            (then
              (local.set $other (i32.shl (local.get $store) (i32.const 2)))
              (i32.store (local.get $at) (i32.load (local.get $other)))
              (i32.store (local.get $other) (local.get $value))
              (local.set $store (i32.add (local.get $store) (i32.const 1)))))
          (local.set $scan (i32.add (local.get $scan) (i32.const 1)))
          (br $partition)))
      (local.set $at (i32.shl (local.get $store) (i32.const 2)))
      (local.set $other (i32.shl (local.get $high) (i32.const 2)))
      (local.set $value (i32.load (local.get $at)))
      (i32.store (local.get $at) (i32.load (local.get $other)))
      (i32.store (local.get $other) (local.get $value))
      (call $quicksort (local.get $low) (i32.sub (local.get $store) (i32.const 1)))
      (call $quicksort (i32.add (local.get $store) (i32.const 1)) (local.get $high)))
    (func (export "main") (result i32)
      (call $fill (i32.const 200000))
      (call $quicksort (i32.const 0) (i32.const 199999))
      (i32.load (i32.const 400000)))`,
  },
  {
    name: "hash (FNV-1a over a 1 MiB buffer, 16 rounds, a byte per iteration)",
    wat: `(func (export "main") (result i32)
      (local $round i32) (local $index i32) (local $hash i32)
      (loop $fill
        (i32.store8 (local.get $index) (i32.mul (local.get $index) (i32.const 7)))
        (br_if $fill (i32.lt_u (local.tee $index (i32.add (local.get $index) (i32.const 1))) (i32.const 1048576))))
      (local.set $hash (i32.const 0x811c9dc5))
      (loop $rounds
        (local.set $index (i32.const 0))
        (loop $bytes
          (local.set $hash (i32.mul (i32.xor (local.get $hash) (i32.load8_u (local.get $index))) (i32.const 16777619)))
          (br_if $bytes (i32.lt_u (local.tee $index (i32.add (local.get $index) (i32.const 1))) (i32.const 1048576))))
        (br_if $rounds (i32.lt_u (local.tee $round (i32.add (local.get $round) (i32.const 1))) (i32.const 16))))
      (local.get $hash))`,
  },
  {
    name: "tree walk (build a 131k-node binary tree, sum it recursively 10 times)",
    wat: `(global $next (mut i32) (i32.const 16))
    (func $build (param $depth i32) (param $value i32) (result i32)
      (local $node i32)
      (local.set $node (global.get $next))
      (global.set $next (i32.add (local.get $node) (i32.const 12)))
      (i32.store offset=8 (local.get $node) (local.get $value))
      (if (i32.gt_s (local.get $depth) (i32.const 0))
        (then
          (i32.store (local.get $node)
            (call $build (i32.sub (local.get $depth) (i32.const 1)) (i32.mul (local.get $value) (i32.const 2))))
          (i32.store offset=4 (local.get $node)
            (call $build (i32.sub (local.get $depth) (i32.const 1)) (i32.add (i32.mul (local.get $value) (i32.const 2)) (i32.const 1))))))
      (local.get $node))
    (func $walk (param $node i32) (result i32)
      (if (result i32) (i32.eqz (local.get $node))
        (then (i32.const 0))
        (else (i32.add (i32.load offset=8 (local.get $node))
          (i32.add (call $walk (i32.load (local.get $node))) (call $walk (i32.load offset=4 (local.get $node))))))))
    (func (export "main") (result i32)
      (local $root i32) (local $round i32) (local $sum i32)
      (global.set $next (i32.const 16))
      (local.set $root (call $build (i32.const 16) (i32.const 1)))
      (loop $rounds
        (local.set $sum (i32.add (local.get $sum) (call $walk (local.get $root))))
        (br_if $rounds (i32.lt_u (local.tee $round (i32.add (local.get $round) (i32.const 1))) (i32.const 10))))
      (local.get $sum))`,
  },
];

/**
 * AssemblyScript workloads, compiled with the incremental runtime (its allocator and collector
 * run under fuel too) and without an abort import, so the module needs no kernel.
 */
const ASSEMBLYSCRIPT_SOURCE = `
export function cabi_realloc(pointer: i32, oldSize: i32, alignment: i32, newSize: i32): i32 { return 0; }

/** String building: concatenation, number formatting, split and join, all allocating. */
export function main(): i32 {
  let total = 0;
  for (let round = 0; round < 20; round++) {
    let text = "";
    for (let index = 0; index < 2000; index++) text += index.toString() + ",";
    total += text.split(",").join(";").length;
  }
  return total;
}

/** Array#sort with a comparator: every comparison is an indirect call. */
export function sortWithComparator(): i32 {
  const values = new Array<i32>(100000);
  let seed: u32 = 12345;
  for (let index = 0; index < values.length; index++) {
    seed = seed * 1664525 + 1013904223;
    values[index] = <i32>(seed >>> 8);
  }
  values.sort((left: i32, right: i32): i32 => left < right ? -1 : left > right ? 1 : 0);
  return values[values.length >> 1];
}
`;

const ASSEMBLYSCRIPT_ENTRIES: readonly { readonly name: string; readonly entry: string }[] = [
  { name: "string building (AssemblyScript runtime: concat, toString, split, join)", entry: "main" },
  { name: "sort with a comparator (AssemblyScript Array#sort, an indirect call per comparison)", entry: "sortWithComparator" },
];

function watModule(functions: string): string {
  return `(module
  (memory (export "memory") ${WORKLOAD_MEMORY_PAGES} ${WORKLOAD_MEMORY_PAGES})
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
  ${functions})`;
}

export async function buildFuelWorkloads(): Promise<FuelWorkload[]> {
  const wabt = await wabtInit();
  const workloads: FuelWorkload[] = WAT_WORKLOADS.map((workload) => {
    const parsed = wabt.parseWat(`${workload.name}.wat`, watModule(workload.wat), { multi_value: true });
    try {
      return { name: workload.name, entry: "main", bytes: new Uint8Array(parsed.toBinary({}).buffer) };
    } finally {
      parsed.destroy();
    }
  });
  const compiled = await asc.compileString(ASSEMBLYSCRIPT_SOURCE, {
    optimizeLevel: 3, shrinkLevel: 0, runtime: "incremental", maximumMemory: 256, use: ["abort="],
  });
  if (compiled.error || compiled.binary === null) throw new Error(`workload did not compile: ${compiled.stderr.toString()}`);
  const bytes = new Uint8Array(compiled.binary.byteLength);
  bytes.set(compiled.binary);
  for (const { name, entry } of ASSEMBLYSCRIPT_ENTRIES) workloads.push({ name, entry, bytes });
  return workloads;
}
