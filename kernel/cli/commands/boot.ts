// `singlet boot [--init file.json]`: boots the kernel, starts every process of the init
// manifest side by side, prints their output line by line and a summary.
import { bootKernel } from "../../boot.js";
import { formatFault, type ExitStatus } from "../../process/index.js";
import { loadApp, runApp } from "../../linker/index.js";
import { resolveAppSource, resolveModuleSource } from "../../loader/index.js";
import { principalFromPolicy, readSystemPolicy } from "../../policy/index.js";
import { parseArguments, UsageError } from "../arguments.js";
import { endedAsExpected, readInitManifest } from "../init-manifest.js";
import { prefixedSink } from "../output.js";
import { appsDirectory, defaultInitManifestPath, defaultSystemPolicyPath } from "../paths.js";
import type { CommandResult } from "./run.js";

function describe(status: ExitStatus): string {
  return status.kind === "exited" ? `exit ${status.code}` : `fault: ${formatFault(status.fault)}`;
}

export async function bootCommand(argv: readonly string[]): Promise<CommandResult> {
  const parsed = parseArguments(argv, [], ["init"]);
  if (parsed.positional.length > 0) throw new UsageError("usage: singlet boot [--init file.json]");
  const manifest = readInitManifest(parsed.options.get("init") ?? defaultInitManifestPath);
  const kernel = bootKernel();
  const write = (stream: "stdout" | "stderr", text: string): void => { (stream === "stdout" ? process.stdout : process.stderr).write(text); };
  write("stdout", `singlet: kernel up; starting ${manifest.processes.length} processes from the init manifest\n`);
  const running = manifest.processes.map((entry) => {
    const appSource = resolveAppSource(entry.app, appsDirectory);
    if (appSource) {
      // A multi-module app runs as the default principal; its user-mode half in a HAL user domain.
      const sink = prefixedSink(`[${appSource.name}] `, write);
      const app = loadApp(kernel.loader, appSource.name, appSource.main, appSource.modules);
      return runApp(kernel, app, { principal: principalFromPolicy(readSystemPolicy(defaultSystemPolicyPath)), args: entry.args ?? [], output: sink })
        .then(({ process: ended, status, linked }) => {
          sink.flush();
          const stats = linked.userDomain?.stats?.();
          const where = stats ? `${ended.domain} + user domain, ${stats.ringSwitches} ring switches` : ended.domain;
          return { entry, process: ended, status, where };
        });
    }
    const source = resolveModuleSource(entry.app, appsDirectory);
    const image = kernel.load(source.bytes, { name: source.name });
    const sink = prefixedSink(`[${source.name}] `, write);
    const spawned = kernel.spawn(image, { args: entry.args ?? [], domain: entry.domain, output: sink });
    return spawned.completion.then((status) => {
      sink.flush();
      return { entry, process: spawned, status, where: spawned.domain as string };
    });
  });
  const results = await Promise.all(running);
  let failures = 0;
  write("stdout", "singlet: summary\n");
  for (const { entry, process: ended, status, where } of results) {
    const ok = endedAsExpected(entry, status);
    if (!ok) failures++;
    write("stdout", `  pid ${ended.processId} ${ended.name} [${where}] ${describe(status)}${ok ? "" : "  (unexpected)"}\n`);
  }
  write("stdout", `singlet: ${results.length - failures} of ${results.length} processes ended as expected; kernel still up with ${kernel.processes.count} live processes\n`);
  await kernel.shutdown();
  return { exitCode: failures === 0 ? 0 : 1 };
}
