// File-call probes: WAT modules whose main makes file calls and returns a result, with paths
// written `{/some/path}` in the body (each becomes a UTF-16 string in the module's memory).
// A kernel on the sim HAL with a seeded in-memory tree and host mounts on temporary directories.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSimHal } from "../../hal/sim/index.js";
import { bootKernel, type Kernel, type ModuleImage, type MountSpec } from "../../kernel/index.js";
import type { Domain } from "../../kernel/index.js";
import type { OpenedNode } from "../../kernel/files/index.js";
import { runCaptured, type CapturedRun } from "./kernel.js";
import { assembleWat, conformantModule } from "./wat.js";

const FILES = "singlet:kernel/files@0.1.0";
const BLOCKS = "singlet:kernel/blocks@0.1.0";
const CAPABILITIES = "singlet:kernel/capabilities@0.1.0";

export const FILE_IMPORTS = `
  (import "${FILES}" "open" (func $open (param i32 i32 i32) (result i32)))
  (import "${FILES}" "close" (func $close (param i32) (result i32)))
  (import "${FILES}" "read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "${FILES}" "write" (func $write (param i32 i32 i32) (result i32)))
  (import "${FILES}" "seek" (func $seek (param i32 i64 i32) (result i64)))
  (import "${FILES}" "read-directory" (func $readDirectory (param i32 i32) (result i32)))
  (import "${FILES}" "list-directory" (func $listDirectory (param i32 i32 i32) (result i64)))
  (import "${FILES}" "stat" (func $stat (param i32 i32) (result i64)))
  (import "${FILES}" "stat-link" (func $statLink (param i32 i32) (result i64)))
  (import "${FILES}" "mkdir" (func $mkdir (param i32 i32) (result i32)))
  (import "${FILES}" "unlink" (func $unlink (param i32 i32) (result i32)))
  (import "${FILES}" "remove-directory" (func $removeDirectory (param i32 i32) (result i32)))
  (import "${FILES}" "rename" (func $rename (param i32 i32 i32 i32) (result i32)))
  (import "${BLOCKS}" "create" (func $blockCreate (param i32) (result i32)))
  (import "${BLOCKS}" "read" (func $blockRead (param i32 i32 i32 i32)))
  (import "${CAPABILITIES}" "drop" (func $drop (param i32) (result i32)))`;

/** Where the strings go: the upper half of the first page, above what the bump allocator hands out in a probe. */
const STRINGS_START = 32 * 1024 + 16;
/**
 * Where a probe's `blocks.read` result (pointer, length) goes: the 16 bytes below the strings, in
 * a data segment so a user domain's page table maps it (page 0 is a guard page there).
 */
export const RETURN_AREA = 32 * 1024;
/** The end of the first page: the bump allocator (from 4096) must stay below STRINGS_START. */
const STRINGS_END = 64 * 1024;

/**
 * The body with each `{text}` replaced by (pointer, length in UTF-16 units) of a string, and each
 * `[text]` by (pointer, length in bytes) of its UTF-8 bytes (a list<u8>), in data segments.
 */
export function withStrings(body: string): { body: string; data: string } {
  let next = STRINGS_START;
  const segments: string[] = [`(data (i32.const ${RETURN_AREA}) "${"\\00".repeat(16)}")`];
  const replaced = body.replace(/\{([^}]*)\}|\[([^\]]*)\]/g, (_, text: string | undefined, list: string | undefined) => {
    const bytes = text !== undefined ? Buffer.from(text, "utf16le") : Buffer.from(list!, "utf8");
    const pointer = next;
    next += bytes.byteLength + 2;
    if (next > STRINGS_END) throw new Error("probe strings overflow their area");
    segments.push(`(data (i32.const ${pointer}) "${[...bytes].map((byte) => "\\" + byte.toString(16).padStart(2, "0")).join("")}")`);
    return `(i32.const ${pointer}) (i32.const ${text !== undefined ? text.length : bytes.byteLength})`;
  });
  return { body: replaced, data: segments.join("\n") };
}

export type FilesRights = "read" | "write";

/** A probe's manifest: the files capability with `rights` (none: no files capability at all). */
export function probeManifest(rights: readonly FilesRights[] | null) {
  return {
    name: "file-probe",
    capabilities: rights === null ? ["console"] : ["console", { name: "files", rights: [...rights] }],
    entryPoints: { main: { mode: "callers" as const } },
  };
}

/** The probe with `body` (locals $h $g $b, i32) as main, loaded into `kernel`. */
export async function loadProbe(kernel: Kernel, body: string, rights: readonly FilesRights[] | null = ["read", "write"]): Promise<ModuleImage> {
  const { body: main, data } = withStrings(body);
  const bytes = await assembleWat(conformantModule(FILE_IMPORTS, `(local $h i32) (local $g i32) (local $b i32) ${main}`, data));
  return kernel.load(bytes, { manifest: probeManifest(rights) });
}

/** Runs `body` (locals $h $g $b, i32) as main in `domain` and returns the run. */
export async function runProbe(kernel: Kernel, body: string, domain: Domain, rights: readonly FilesRights[] | null = ["read", "write"]): Promise<CapturedRun> {
  return runCaptured(kernel, await loadProbe(kernel, body, rights), { domain });
}

/** The ABI code of the kernel error `call` throws, or undefined when it returns. */
export function codeOf(call: () => unknown): number | undefined {
  try {
    call();
    return undefined;
  } catch (error) {
    return (error as { errorCode?: number }).errorCode;
  }
}

/** The probe's exit code, or a description of how it ended otherwise. */
export function exitCodeOf(run: CapturedRun): number | string {
  return run.status.kind === "exited" ? run.status.code : `faulted: ${JSON.stringify(run.status.fault)}`;
}

export interface FileFixture {
  readonly kernel: Kernel;
  /** The host directories: `readOnly` mounted at /ro, `writable` at /rw, `outside` not mounted. */
  readonly readOnly: string;
  readonly writable: string;
  readonly outside: string;
  remove(): Promise<void>;
}

/**
 * A kernel whose tree holds /f ("hello"), /d with /d/x, /full with /full/y; /ro (read-only) holds
 * a.txt ("host"), sub/b.txt, links in (to a.txt), up (to ..), out (to the outside directory),
 * abs (to /etc), loop (to itself), ring1 and ring2 (to each other); /rw is empty and writable.
 */
export function fileFixture(): FileFixture {
  const root = mkdtempSync(join(tmpdir(), "singlet-files-"));
  const readOnly = join(root, "read-only");
  const writable = join(root, "writable");
  const outside = join(root, "outside");
  for (const directory of [readOnly, join(readOnly, "sub"), writable, outside]) mkdirSync(directory);
  writeFileSync(join(readOnly, "a.txt"), "host");
  writeFileSync(join(readOnly, "sub", "b.txt"), "below");
  writeFileSync(join(outside, "secret.txt"), "secret");
  symlinkSync("a.txt", join(readOnly, "in"));
  symlinkSync("..", join(readOnly, "up"));
  symlinkSync("../outside", join(readOnly, "out"));
  symlinkSync("/etc", join(readOnly, "abs"));
  symlinkSync("loop", join(readOnly, "loop"));
  symlinkSync("ring2", join(readOnly, "ring1"));
  symlinkSync("ring1", join(readOnly, "ring2"));
  const mounts: MountSpec[] = [
    { hostDirectory: readOnly, guestPath: "/ro", writable: false },
    { hostDirectory: writable, guestPath: "/rw", writable: true },
  ];
  const kernel = bootKernel({ hal: createSimHal(), mounts });
  const files = kernel.services.files!;
  files.mkdir("/d");
  files.mkdir("/full");
  const create = { read: false, write: true, create: true, truncate: false, append: false, exclusive: false, directory: false };
  for (const [path, text] of [["/f", "hello"], ["/d/x", ""], ["/full/y", "y"]] as const) {
    const { node } = files.open(path, create);
    node.write(new TextEncoder().encode(text), 0);
    node.close();
  }
  return {
    kernel, readOnly, writable, outside,
    remove: async () => {
      await kernel.shutdown();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * Every entry of an opened directory, as the kernel would hand them out: through the tree's
 * readEntries where it reads straight into bytes (a host mount with the host's lister), else its
 * listing. Closes the node.
 */
export function listedEntries(node: OpenedNode): { name: string; type: number }[] {
  const entries: { name: string; type: number }[] = [];
  try {
    if (!node.readEntries) {
      const listing = node.list();
      for (let index = 0; index < listing.count; index++) entries.push({ name: listing.name(index), type: listing.type(index) });
      return entries;
    }
    const bytes = new Uint8Array(4096);
    for (let written = node.readEntries(bytes); written > 0; written = node.readEntries(bytes)) {
      for (let at = 0; at < written;) {
        const length = bytes[at + 1]! | (bytes[at + 2]! << 8);
        entries.push({ type: bytes[at]!, name: new TextDecoder().decode(bytes.subarray(at + 3, at + 3 + length)) });
        at += 3 + length;
      }
    }
    return entries;
  } finally {
    node.close();
  }
}
