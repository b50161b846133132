// `singlet verify <file.wasm> [--json] [--component]`: 0 accepted for kernel mode, 1 rejected,
// 2 usage or I/O. `--component` adds the independent jco conformance check.
import { readFileSync } from "node:fs";
import type { Manifest } from "../../../runtime/abi/index.js";
import { checkComponent, formatVerificationLog, readManifestSection, verificationToJson, verifyModule } from "../../../verifier/index.js";
import { linkedModulesOf } from "../../linker/index.js";
import { parseArguments, UsageError } from "../arguments.js";
import type { CommandResult } from "./run.js";

export async function verifyCommand(argv: readonly string[]): Promise<CommandResult> {
  const parsed = parseArguments(argv, ["json", "component"]);
  if (parsed.positional.length !== 1) throw new UsageError("usage: singlet verify <file.wasm> [--json] [--component]");
  const path = parsed.positional[0]!;
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const bytes = new Uint8Array(data.byteLength);
  bytes.set(data);
  let manifest: Manifest | undefined;
  // A broken manifest section is the verifier's to report, with its code; read what we can.
  try { manifest = readManifestSection(bytes); } catch { manifest = undefined; }
  // Imports from the sibling modules the manifest links are the linker's to check (docs/modes.md).
  const linkedModules = linkedModulesOf(manifest);
  const result = verifyModule(bytes, { manifest, linkedModules });
  const component = parsed.flags.has("component") ? await checkComponent(bytes) : undefined;
  const accepted = result.accepted && (component?.ok ?? true);
  if (parsed.flags.has("json")) {
    process.stdout.write(JSON.stringify({ file: path, ...verificationToJson(result), ...(component ? { component: { ok: component.ok, reason: component.reason } } : {}) }, null, 2) + "\n");
  } else {
    process.stdout.write(formatVerificationLog(result, { subject: path }));
    if (component) process.stdout.write(component.ok ? "component check (jco): ok\n" : `component check (jco): rejected: ${component.reason}\n`);
    if (linkedModules.length > 0) process.stdout.write(`  note: imports from linked modules (${linkedModules.join(", ")}) are checked by the linker at link time\n`);
  }
  return { exitCode: accepted ? 0 : 1 };
}
