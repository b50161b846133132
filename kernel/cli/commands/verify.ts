// `singlet verify <file.wasm> [--json]`: 0 accepted for kernel mode, 1 rejected, 2 usage or I/O.
import { readFileSync } from "node:fs";
import { readEmbeddedManifest } from "../../../runtime/abi/index.js";
import { verifyModule, type VerificationResult } from "../../../verifier/index.js";
import { linkedModulesOf } from "../../linker/index.js";
import { parseArguments, UsageError } from "../arguments.js";
import type { CommandResult } from "./run.js";

function formatLog(path: string, result: VerificationResult): string {
  const lines = [`${path}: ${result.accepted ? "accepted for kernel mode" : `rejected (${result.verdict})`}`];
  for (const finding of result.findings) {
    const where = finding.location ? ` [${Object.entries(finding.location).filter(([, value]) => value !== undefined).map(([key, value]) => `${key}=${value}`).join(" ")}]` : "";
    lines.push(`  ${finding.verdictClass} ${finding.code}: ${finding.message}${where}`);
  }
  lines.push(`  stats: ${result.stats.bytes} bytes, ${result.stats.functions} functions, ${result.stats.milliseconds.toFixed(2)} ms, ${result.stats.fuelPointsInserted} fuel points`);
  return lines.join("\n") + "\n";
}

export async function verifyCommand(argv: readonly string[]): Promise<CommandResult> {
  const parsed = parseArguments(argv, ["json"]);
  if (parsed.positional.length !== 1) throw new UsageError("usage: singlet verify <file.wasm> [--json]");
  const path = parsed.positional[0]!;
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const bytes = new Uint8Array(data.byteLength);
  bytes.set(data);
  let manifest;
  try { manifest = readEmbeddedManifest(bytes); } catch { manifest = undefined; }
  // Imports from the sibling modules the manifest links are the linker's to check (docs/modes.md).
  const linkedModules = linkedModulesOf(manifest);
  const result = verifyModule(bytes, { manifest, linkedModules });
  if (parsed.flags.has("json")) {
    const { output: _output, functionNames: _names, ...rest } = result;
    process.stdout.write(JSON.stringify({ file: path, ...rest }, null, 2) + "\n");
  } else {
    process.stdout.write(formatLog(path, result));
    if (linkedModules.length > 0) process.stdout.write(`  note: imports from linked modules (${linkedModules.join(", ")}) are checked by the linker at link time\n`);
  }
  return { exitCode: result.accepted ? 0 : 1 };
}
