// The second, independent ABI conformance check: jco (wit-component) embeds the kernel's WIT
// world into the module and builds a component from it. It costs milliseconds, so it runs at
// build time and on request (`singlet verify --component`), never on the load path; jco is
// imported lazily for the same reason.
// node:fs's promises, reached where used: importing node:fs/promises would load it on every start.
import { promises as fileSystem } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ABI_WORLD } from "../runtime/abi/index.js";

/** dist/verifier → the project root, where runtime/wit lives. */
const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const KERNEL_WIT_PATH = resolve(projectRoot, "runtime", "wit", "singlet.wit");

export interface ComponentCheck {
  readonly ok: boolean;
  /** jco's reason when `ok` is false. */
  readonly reason?: string;
  /** The component wrapping the module when `ok` is true. */
  readonly componentBytes?: Uint8Array;
  readonly milliseconds: number;
}

export interface ComponentCheckOptions {
  readonly witPath?: string;
  readonly world?: string;
}

/** Embeds the WIT world (utf16 strings, as the runtime lowers them) and runs componentNew. */
export async function checkComponent(bytes: Uint8Array, options: ComponentCheckOptions = {}): Promise<ComponentCheck> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const jco = await import("@bytecodealliance/jco");
  let witSource: string;
  try {
    witSource = await fileSystem.readFile(options.witPath ?? KERNEL_WIT_PATH, "utf8");
  } catch (error) {
    return { ok: false, reason: `cannot read the kernel wit: ${(error as Error).message}`, milliseconds: elapsed() };
  }
  try {
    const embedded = await jco.componentEmbed({
      binary: bytes, witSource, world: options.world ?? ABI_WORLD, stringEncoding: "utf16",
    });
    const componentBytes = await jco.componentNew(embedded);
    return { ok: true, componentBytes, milliseconds: elapsed() };
  } catch (error) {
    return { ok: false, reason: describeJcoError(error), milliseconds: elapsed() };
  }
}

/** jco throws strings, Errors or component-model error payloads; flatten to one message. */
function describeJcoError(error: unknown): string {
  if (typeof error === "string") return error;
  if (error instanceof Error) {
    const payload = (error as Error & { payload?: unknown }).payload;
    return typeof payload === "string" ? payload : error.message;
  }
  return JSON.stringify(error);
}
