// `singlet run <app|file.wasm> [--user] [--stats] [-- args…]`: runs one app to completion.
import { bootKernel } from "../../boot.js";
import { formatFault, type ExitStatus } from "../../process/index.js";
import { resolveModuleSource } from "../../loader/index.js";
import { parseArguments, UsageError } from "../arguments.js";
import { appsDirectory } from "../paths.js";

/** Exit code of `singlet run` when the app faulted (EX_SOFTWARE). */
export const FAULT_EXIT_CODE = 70;

export interface CommandResult {
  readonly exitCode: number;
}

export async function runCommand(argv: readonly string[]): Promise<CommandResult> {
  const parsed = parseArguments(argv, ["user", "stats"]);
  if (parsed.positional.length !== 1) throw new UsageError("usage: singlet run <app|file.wasm> [--user] [--stats] [-- args…]");
  const kernel = bootKernel();
  const source = resolveModuleSource(parsed.positional[0]!, appsDirectory);
  const image = kernel.load(source.bytes, { name: source.name });
  const { process, status } = await kernel.run(image, {
    args: parsed.passThrough,
    domain: parsed.flags.has("user") ? "user" : undefined,
  });
  if (parsed.flags.has("stats")) {
    const calls = [...process.syscallCounts].map(([name, count]) => `${name}=${count}`).join(" ");
    globalThis.process.stderr.write(`singlet: stats: process ${process.processId} domain=${process.domain} verified=${image.verified}${calls ? ` calls: ${calls}` : ""}\n`);
  }
  return { exitCode: exitCodeOf(status, process.processId, process.name) };
}

function exitCodeOf(status: ExitStatus, processId: number, name: string): number {
  if (status.kind === "exited") return status.code & 0xff;
  globalThis.process.stderr.write(`singlet: process ${processId} (${name}) faulted: ${formatFault(status.fault)}\n`);
  return FAULT_EXIT_CODE;
}
