// Event apps for the event, timer, scheduler and lifecycle suites, written in WAT so each one
// controls exactly which calls it makes and when. Every app has what the kernel needs to deliver
// events in either domain: `dispatch(kind, tag)` for the kernel domain and a `serve` loop around
// `events.wait` for a user domain, so the same binary runs in both. The channel, block and name
// calls are here too, for the channel suites' processes that talk to each other.
import { syscallDescriptors, type EntryPointDeclaration, type Manifest } from "../../runtime/abi/index.js";
import { assembleWat } from "./wat.js";

/** Every call an event app may make, by the name its WAT calls it; unused imports cost nothing. */
const IMPORTED_CALLS: readonly (readonly [string, string])[] = [
  ["console.write", "write"],
  ["clock.now", "now"],
  ["events.wait", "wait"],
  ["events.poll", "poll"],
  ["timers.start", "timerStart"],
  ["timers.cancel", "timerCancel"],
  ["process.yield", "yield"],
  ["process.exit", "exit"],
  ["process.abort", "abort"],
  ["capabilities.initial-get", "initialGet"],
  ["capabilities.drop", "capabilityDrop"],
  ["capabilities.kind", "capabilityKind"],
  ["capabilities.rights", "capabilityRights"],
  ["capabilities.restrict", "restrict"],
  ["capabilities.revoke", "revoke"],
  ["blocks.create", "blockCreate"],
  ["blocks.size", "blockSize"],
  ["blocks.write", "blockWrite"],
  ["channels.create", "channelCreate"],
  ["channels.send", "send"],
  ["channels.receive", "receive"],
  ["channels.poll", "channelPoll"],
  ["channels.watch", "watch"],
  ["names.publish", "publish"],
  ["names.connect", "connect"],
  ["batch.submit", "submit"],
  ["batch.submit-and-wait", "submitAndWait"],
];

/** Each call's import with its exact core signature, from the generated ABI (runtime/abi/kernel-abi.generated.ts). */
const IMPORTS = IMPORTED_CALLS.map(([call, local]) => {
  const descriptor = syscallDescriptors.find((candidate) => candidate.qualifiedName === call);
  if (!descriptor) throw new Error(`event apps import '${call}', which the ABI does not have`);
  const parameters = descriptor.coreParameters.length > 0 ? ` (param ${descriptor.coreParameters.join(" ")})` : "";
  const results = descriptor.coreResults.length > 0 ? ` (result ${descriptor.coreResults.join(" ")})` : "";
  return `(import "${descriptor.importModule}" "${descriptor.functionName}" (func $${local}${parameters}${results}))`;
}).join("\n  ");

/** Every text an app prints is laid out from here, in every app's memory. */
const TEXTS_BASE = 1024;
/** A line is built here, then written with one console.write (so each line arrives whole). */
const LINE_BASE = 16384;
/** cabi_realloc hands out memory from here up: the line before it has 2048 units, more than any test prints. */
const HEAP_BASE = 20480;

/**
 * The texts apps print, each at the address it got the first time any app used it. Every app
 * built afterwards carries all of them, so a fixture can name its texts where it prints them
 * without a table of its own.
 */
const texts = new Map<string, { address: number; units: number }>();
let textsEnd = TEXTS_BASE;

/** Where `value` lives in every app's memory (UTF-16, one code unit per character, as the ABI's strings are). */
export function textAt(value: string): { address: number; units: number } {
  let found = texts.get(value);
  if (!found) {
    found = { address: textsEnd, units: value.length };
    if (textsEnd + value.length * 2 > LINE_BASE) throw new Error(`event-app texts outgrew their ${LINE_BASE - TEXTS_BASE} bytes at '${value}'`);
    textsEnd += value.length * 2;
    texts.set(value, found);
  }
  return found;
}

/** The data segments of every text so far, each code unit written as two escaped bytes. */
function textData(): string {
  return [...texts].map(([value, { address }]) => {
    const bytes = [...value].map((character) => {
      const code = character.charCodeAt(0);
      return `\\${(code & 0xff).toString(16).padStart(2, "0")}\\${(code >> 8).toString(16).padStart(2, "0")}`;
    }).join("");
    return `(data (i32.const ${address}) "${bytes}")`;
  }).join("\n  ");
}

/** `value` as a string argument of a call: its address and length in UTF-16 units, as the ABI takes strings. */
export function stringArgument(value: string): string {
  const { address, units } = textAt(value);
  return `(i32.const ${address}) (i32.const ${units})`;
}

/** `names.publish(name, contract)`: an i32 expression, the listener's handle or an error. */
export function publishName(name: string, contract = ""): string {
  return `(call $publish ${stringArgument(name)} ${stringArgument(contract)})`;
}

/** `names.connect(name)`: an i32 expression, the client end's handle or an error. */
export function connectName(name: string): string {
  return `(call $connect ${stringArgument(name)})`;
}

/** `channels.create(contract)`: an i64 expression, `(client << 32) | server` or an error. */
export function createChannel(contract = ""): string {
  return `(call $channelCreate ${stringArgument(contract)})`;
}

/** The message number of a packed receive, or the client end of a packed `channels.create` (an i64 expression): the high half, as an i32 expression. */
export function highHalf(packed: string): string {
  return `(i32.wrap_i64 (i64.shr_u ${packed} (i64.const 32)))`;
}

/** The attachment handle of a packed receive, or the server end of a packed `channels.create`: the low half. */
export function lowHalf(packed: string): string {
  return `(i32.wrap_i64 ${packed})`;
}

/** Appends `value` and a space to the line being built. */
export function text(value: string): string {
  const { address, units } = textAt(value);
  return `(call $text (i32.const ${address}) (i32.const ${units}))`;
}

/** Appends a signed 32-bit value (an i32 expression) in decimal. */
export function int(expression: string): string {
  return `(call $number (i64.extend_i32_s ${expression}))`;
}

/** Appends a signed 64-bit value (an i64 expression) in decimal. */
export function long(expression: string): string {
  return `(call $number ${expression})`;
}

/** Appends the result of a call that returns a handle (an i32 expression): "ok" for a handle, else the negative error code. */
export function outcome(expression: string): string {
  return `(call $outcome ${expression})`;
}

/** Builds one line from `parts` and writes it: `line(text("timer"), int("(local.get $tag)"))` prints "timer 3". */
export function line(...parts: string[]): string {
  return `${parts.join(" ")} (call $line)`;
}

const NANOSECONDS_PER_MILLISECOND = 1_000_000n;

/** Milliseconds as the nanoseconds `timers.start` takes and `clock.now` counts, as a WAT i64 constant. */
export function milliseconds(value: number): string {
  return `(i64.const ${BigInt(value) * NANOSECONDS_PER_MILLISECOND})`;
}

/** `timers.start(delay, period, tag)` with milliseconds given, nanoseconds passed; an i32 expression (the handle or an error). */
export function startTimer(delayMilliseconds: number, periodMilliseconds: number, tag: number | string): string {
  return startTimerNanoseconds(BigInt(delayMilliseconds) * NANOSECONDS_PER_MILLISECOND, BigInt(periodMilliseconds) * NANOSECONDS_PER_MILLISECOND, tag);
}

/** `timers.start` with the u64 nanoseconds exactly as given (written as the i64 of the same bits). */
export function startTimerNanoseconds(delay: bigint, period: bigint, tag: number | string): string {
  const tagExpression = typeof tag === "number" ? `(i32.const ${tag})` : tag;
  return `(call $timerStart (i64.const ${BigInt.asIntN(64, delay)}) (i64.const ${BigInt.asIntN(64, period)}) ${tagExpression})`;
}

/** "timer 7 at 10000000": the event's kind, its tag and the virtual time the handler ran. */
const REPORT_EVENT_WITH_TIME = line("(call $kindText (local.get $kind))", int("(local.get $tag)"), text("at"), long("(call $now)"));

/** "timer 7": the event's kind and tag, for apps that run where time is not virtual. */
export const REPORT_EVENT = line("(call $kindText (local.get $kind))", int("(local.get $tag)"));

/** The world's exports an event app can leave out, for tests of a missing or mistyped one. */
export type EventExport = "dispatch" | "serve";

export interface EventAppParts {
  /** main's body, ending with its i32 result. */
  readonly main: string;
  /** dispatch's body (parameters `$kind` and `$tag`); prints the event with its time by default. */
  readonly dispatch?: string;
  /** Mutable i32 globals, all starting at 0. */
  readonly globals?: readonly string[];
  /** i32 locals of both main and dispatch (named without `$`). */
  readonly locals?: readonly string[];
  /** i64 locals of both main and dispatch: a packed receive, a channel pair. */
  readonly longLocals?: readonly string[];
  /** More imports, after the kernel's. */
  readonly imports?: string;
  /** More module fields: functions, globals of other types, a start function, exports. */
  readonly fields?: string;
  /**
   * Which of `dispatch` and `serve` are exported, as every runtime app exports both by default.
   * Left out, `dispatch` stays as a function the serve loop calls; `serve` is not there at all.
   */
  readonly exports?: readonly EventExport[];
  /**
   * A serve loop that waits with batch.submit-and-wait, handing the kernel the ring of `count`
   * entries at `address` with every wait (the runtime's loop hands over what handlers queued).
   */
  readonly serveBatch?: { readonly address: number; readonly count: number };
}

/** `serve` as the runtime writes it: wait, deliver through `$dispatch`, until the wait answers an error. */
const serveLoop = (wait: string) => `(func $serve (export "serve")
    (local $event i64)
    (block $noMore
      (loop $next
        (local.set $event ${wait})
        (br_if $noMore (i64.lt_s (local.get $event) (i64.const 0)))
        (call $dispatch (i32.wrap_i64 (i64.shr_u (local.get $event) (i64.const 32))) (i32.wrap_i64 (local.get $event)))
        (br $next))))`;

/** The WAT text of an event app. */
function eventAppText(parts: EventAppParts): string {
  const exports = parts.exports ?? ["dispatch", "serve"];
  const globals = (parts.globals ?? []).map((name) => `(global $${name} (mut i32) (i32.const 0))`).join("\n  ");
  const locals = [...(parts.locals ?? []).map((name) => `(local $${name} i32)`), ...(parts.longLocals ?? []).map((name) => `(local $${name} i64)`)].join(" ");
  // The texts the app's own helpers print, laid out before the data segments are written.
  const outcomeOk = text("ok");
  const kindTexts = { timer: text("timer"), yield: text("yield"), message: text("message"), closed: text("closed") };
  const dispatch = parts.dispatch ?? REPORT_EVENT_WITH_TIME;
  return `(module
  ${IMPORTS}
  ${parts.imports ?? ""}
  (memory (export "memory") 1 4)
  ${textData()}
  (global $heap (mut i32) (i32.const ${HEAP_BASE}))
  (global $cursor (mut i32) (i32.const ${LINE_BASE}))
  ${globals}
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $pointer i32)
    (local.set $pointer (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (i32.and (i32.add (local.get 3) (i32.const 15)) (i32.const -16))))
    (local.get $pointer))
  (func $text (param $at i32) (param $units i32)
    (memory.copy (global.get $cursor) (local.get $at) (i32.shl (local.get $units) (i32.const 1)))
    (global.set $cursor (i32.add (global.get $cursor) (i32.shl (local.get $units) (i32.const 1))))
    (call $space))
  (func $unit (param $character i32)
    (i32.store16 (global.get $cursor) (local.get $character))
    (global.set $cursor (i32.add (global.get $cursor) (i32.const 2))))
  (func $space (call $unit (i32.const 32)))
  (func $number (param $value i64)
    (local $start i32) (local $end i32) (local $swap i32)
    (if (i64.lt_s (local.get $value) (i64.const 0))
      (then
        (call $unit (i32.const 45))
        (local.set $value (i64.sub (i64.const 0) (local.get $value)))))
    (local.set $start (global.get $cursor))
    ;; Digits come out least significant first, then the run is reversed in place.
    (loop $digit
      (call $unit (i32.wrap_i64 (i64.add (i64.const 48) (i64.rem_u (local.get $value) (i64.const 10)))))
      (local.set $value (i64.div_u (local.get $value) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $value) (i64.const 0))))
    (local.set $end (i32.sub (global.get $cursor) (i32.const 2)))
    (block $reversed
      (loop $swapPair
        (br_if $reversed (i32.ge_u (local.get $start) (local.get $end)))
        (local.set $swap (i32.load16_u (local.get $start)))
        (i32.store16 (local.get $start) (i32.load16_u (local.get $end)))
        (i32.store16 (local.get $end) (local.get $swap))
        (local.set $start (i32.add (local.get $start) (i32.const 2)))
        (local.set $end (i32.sub (local.get $end) (i32.const 2)))
        (br $swapPair)))
    (call $space))
  (func $line
    ;; The last space becomes the newline.
    (i32.store16 (i32.sub (global.get $cursor) (i32.const 2)) (i32.const 10))
    (drop (call $write (i32.const ${LINE_BASE}) (i32.shr_u (i32.sub (global.get $cursor) (i32.const ${LINE_BASE})) (i32.const 1))))
    (global.set $cursor (i32.const ${LINE_BASE})))
  (func $outcome (param $result i32)
    (if (i32.ge_s (local.get $result) (i32.const 0)) (then ${outcomeOk} (return)))
    ${int("(local.get $result)")})
  (func $kindText (param $kind i32)
    (if (i32.eq (local.get $kind) (i32.const 1)) (then ${kindTexts.timer} (return)))
    (if (i32.eq (local.get $kind) (i32.const 2)) (then ${kindTexts.yield} (return)))
    (if (i32.eq (local.get $kind) (i32.const 3)) (then ${kindTexts.message} (return)))
    (if (i32.eq (local.get $kind) (i32.const 4)) (then ${kindTexts.closed} (return)))
    ${int("(local.get $kind)")})
  ${parts.fields ?? ""}
  ${exports.includes("serve") ? serveLoop(parts.serveBatch ? `(call $submitAndWait (i32.const ${parts.serveBatch.address}) (i32.const ${parts.serveBatch.count}))` : "(call $wait)") : ""}
  (func $dispatch ${exports.includes("dispatch") ? `(export "dispatch")` : ""} (param $kind i32) (param $tag i32) ${locals}
    ${dispatch})
  (func $main (export "main") (result i32) ${locals}
    ${parts.main}))`;
}

/** An event app, assembled: ready for `kernel.load` with an `eventManifest`. */
export async function eventApp(parts: EventAppParts): Promise<Uint8Array<ArrayBuffer>> {
  return assembleWat(eventAppText(parts), "event-app.wat");
}

/** Fuel of one entry unless a test says otherwise: small enough that a runaway ends fast (apps/ticker asks for the same). */
const EVENT_APP_FUEL_PER_ENTRY = 1_000_000;

export interface EventManifestOptions {
  /** Console and clock unless given. */
  readonly capabilities?: readonly string[];
  /** Fuel of one `dispatch` call in the kernel domain, declared as that entry's own budget. */
  readonly dispatchFuel?: number;
  /** Limits over the default fuel per entry. */
  readonly limits?: Manifest["limits"];
  /** Channel contracts, by name. */
  readonly contracts?: Manifest["contracts"];
  /** Names the app may publish. */
  readonly provides?: readonly string[];
  /** Names the app may connect to. */
  readonly uses?: readonly string[];
}

/** An event app's manifest: `main` declared as its entry, as apps/ticker's is; `dispatch` too when it has its own fuel. */
export function eventManifest(name: string, options: EventManifestOptions = {}): Manifest {
  const entryPoints: Record<string, EntryPointDeclaration> = { main: { mode: "callers" } };
  if (options.dispatchFuel !== undefined) entryPoints.dispatch = { mode: "callers", fuel: options.dispatchFuel };
  return {
    name,
    capabilities: [...(options.capabilities ?? ["console", "clock"])],
    entryPoints,
    limits: { fuelPerEntry: EVENT_APP_FUEL_PER_ENTRY, ...options.limits },
    ...(options.contracts ? { contracts: options.contracts } : {}),
    ...(options.provides ? { provides: [...options.provides] } : {}),
    ...(options.uses ? { uses: [...options.uses] } : {}),
  };
}
