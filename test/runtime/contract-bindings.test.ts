// Contract bindings: a contract given by path in manifest.json is embedded whole in the binary, and
// the typed AssemblyScript beside the contract file is what the generator makes of it now (never stale).
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bindingsPathOf, contractBindingsSource, resolveContractFiles } from "../../runtime/toolchain/contract-bindings.js";
import { parseManifest } from "../../runtime/abi/index.js";
import { readManifestSection } from "../../verifier/index.js";
import { appBytes, appsDirectory } from "../helpers/kernel.js";

describe("runtime/contract bindings", () => {
  for (const app of ["kv-server", "kv-client"]) {
    it(`embeds the KeyValue contract file in ${app}'s binary, whose one bindings file is fresh`, () => {
      const manifestPath = join(appsDirectory, app, "manifest.json");
      const { manifest, files } = resolveContractFiles(JSON.parse(readFileSync(manifestPath, "utf8")) as Record<string, unknown>, manifestPath);
      expect(files.map((file) => [file.name, file.path.slice(appsDirectory.length)])).to.deep.equal([["KeyValue", "/contracts/key-value.json"]]);
      const contract = JSON.parse(readFileSync(files[0]!.path, "utf8")) as unknown;
      expect(readManifestSection(appBytes(app))!.contracts).to.deep.equal({ KeyValue: contract });
      const expected = contractBindingsSource(parseManifest(manifest).contracts!, "apps/contracts/key-value.json", "../../runtime/assembly");
      expect(readFileSync(bindingsPathOf(files[0]!.path), "utf8")).to.equal(expected);
    });
  }

  it("names a typed send and a test for every message, numbered in the contract's order", () => {
    const source = contractBindingsSource({ Door: { messages: { "open-up": "client", shut: "server" }, initial: "a", states: { a: {} } } }, "a test", "../runtime");
    expect(source).to.contain("static readonly OPEN_UP: u32 = 0;");
    expect(source).to.contain("static sendOpenUp(endpoint: u32, attachment: u32 = 0): i32 { return Channels.send(endpoint, 0, attachment); }");
    expect(source).to.contain("static isShut(received: Message): bool { return received.number == 1; }");
  });

  it("refuses a contract path that does not exist", () => {
    expect(() => resolveContractFiles({ name: "x", contracts: { Missing: "./nowhere.json" } }, join(appsDirectory, "x", "manifest.json"))).to.throw(/does not exist/);
  });
});
