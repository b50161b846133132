// The verification log a person reads (`singlet verify`), and the same facts as JSON.
import type { Finding, VerificationResult } from "./verdict.js";

function describeLocation(item: Finding): string {
  const location = item.location;
  if (location === undefined) return "";
  const parts: string[] = [];
  if (location.functionIndex !== undefined) {
    parts.push(location.functionName ? `function ${location.functionIndex} (${location.functionName})` : `function ${location.functionIndex}`);
  }
  if (location.instructionIndex !== undefined) parts.push(`instruction ${location.instructionIndex}`);
  if (location.item !== undefined) parts.push(location.item);
  if (location.byteOffset !== undefined) parts.push(`byte ${location.byteOffset} (0x${location.byteOffset.toString(16)})`);
  return parts.length > 0 ? `\n      at ${parts.join(", ")}` : "";
}

export interface FormatOptions {
  /** Shown in the first line, e.g. the file path. */
  readonly subject?: string;
}

/** A log a person can act on: verdict first, then one entry per finding with code and place. */
export function formatVerificationLog(result: VerificationResult, options: FormatOptions = {}): string {
  const subject = options.subject ?? result.manifestName ?? "module";
  const lines: string[] = [];
  const stats = result.stats;
  lines.push(result.accepted
    ? `${subject}: accepted for kernel mode`
    : `${subject}: rejected (${result.verdict}), ${result.findings.length} finding${result.findings.length === 1 ? "" : "s"}`);
  for (const item of result.findings) {
    lines.push(`  ${item.verdictClass} ${item.code}: ${item.message}${describeLocation(item)}`);
  }
  if (result.verdict === "InternalError") {
    lines.push("  this is a bug in the verifier, not in the module; please report it with the module attached");
  } else if (!result.accepted) {
    lines.push("  see docs/verifier/messages.md for what each code means and how to fix it");
  }
  lines.push(`  stats: ${stats.bytes} bytes, ${stats.functions} functions, ${stats.instructions} instructions, `
    + `${stats.fuelPointsInserted} fuel points, ${stats.milliseconds.toFixed(2)} ms${result.fromCache ? " (cached)" : ""}`);
  if (result.accepted) {
    lines.push(result.fuelInstrumented
      ? `  output: ${stats.outputBytes} bytes, fuel-instrumented`
      : `  output: ${stats.outputBytes} bytes, not instrumented (running time unbounded)`);
  }
  return lines.join("\n") + "\n";
}

/** The result as plain JSON data: function names as an object, the output as its size. */
export function verificationToJson(result: VerificationResult): Record<string, unknown> {
  return {
    verdict: result.verdict,
    accepted: result.accepted,
    findings: result.findings,
    stats: result.stats,
    cacheKey: result.cacheKey,
    fuelInstrumented: result.fuelInstrumented,
    fromCache: result.fromCache,
    manifestName: result.manifestName,
    outputBytes: result.output?.byteLength ?? 0,
    functionNames: Object.fromEntries([...result.functionNames].map(([index, name]) => [String(index), name])),
  };
}
