// Conformance: docs/startup.md states what the code does (names, folders, limits, switches).
import { expect } from "chai";
import { CACHE_DIRECTORY_ENVIRONMENT_VARIABLE, CACHE_ENVIRONMENT_VARIABLE, NO_CACHE_FLAG, defaultCacheRoot } from "../../kernel/cli/cache-settings.js";
import { BUNDLE_FILE_NAME } from "../../kernel/cli/launcher.js";
import { VERIFICATION_STORE_ENTRIES } from "../../kernel/loader/index.js";
import { MAX_POOLED_INSTANCE_MEMORY_BYTES, MAX_POOLED_MODULES, POOLED_INSTANCES_PER_MODULE } from "../../kernel/linker/index.js";
import { projectRoot, readProjectFile } from "../helpers/kernel.js";
import { relative } from "node:path";

describe("docs/startup.md", () => {
  const page = readProjectFile("docs/startup.md");

  it("names the switches, the cache folder and the bundle the code uses", () => {
    expect(page).to.contain(`\`${CACHE_ENVIRONMENT_VARIABLE}=off\``);
    expect(page).to.contain(`\`${CACHE_DIRECTORY_ENVIRONMENT_VARIABLE}=<folder>\``);
    expect(page).to.contain(`\`--${NO_CACHE_FLAG}\``);
    expect(page).to.contain(`\`${relative(projectRoot, defaultCacheRoot)}/\``);
    expect(page).to.contain(`\`dist/${BUNDLE_FILE_NAME}\``);
  });

  it("quotes the verdict cache's capacity", () => {
    expect(page).to.contain(`\`VERIFICATION_STORE_ENTRIES\` (${VERIFICATION_STORE_ENTRIES})`);
  });

  it("names the bin the package declares", () => {
    const manifest = JSON.parse(readProjectFile("package.json")) as { bin: Record<string, string> };
    expect(page).to.contain(`is \`${manifest.bin.singlet}\``);
  });
});

describe("docs/startup.md: pre-made kernel-domain instances", () => {
  const page = readProjectFile("docs/startup.md");

  it("quotes the pool's limits as the code has them", () => {
    expect(page).to.contain(`\`POOLED_INSTANCES_PER_MODULE\` (${POOLED_INSTANCES_PER_MODULE})`);
    expect(page).to.contain(`\`MAX_POOLED_MODULES\` (${MAX_POOLED_MODULES})`);
    expect(page).to.contain(`\`MAX_POOLED_INSTANCE_MEMORY_BYTES\` (${MAX_POOLED_INSTANCE_MEMORY_BYTES / 1024} KiB)`);
    const total = (POOLED_INSTANCES_PER_MODULE * MAX_POOLED_MODULES * MAX_POOLED_INSTANCE_MEMORY_BYTES) / (1024 * 1024);
    expect(page.replace(/\s+/g, " ")).to.contain(`holds at most ${total} MiB of linear memory`);
  });
});
