// Which manifest a module is checked against: the caller's, else the one embedded in the
// `singlet.manifest` custom section, else the default (one entry point, `main`).
import { MANIFEST_SECTION_NAME, MODES_SECTION_NAME, manifestFromSections, manifestProblems, modesFromSections, type Manifest, type ModeAttribute } from "../runtime/abi/index.js";
import { customSectionPayloads } from "./binary/sections.js";
import type { DecodedModule } from "./binary/module.js";
import { finding } from "./codes.js";
import type { Finding } from "./verdict.js";

export const DEFAULT_MANIFEST: Manifest = { name: "(no manifest)", entryPoints: { main: {} } };

/** One decoder for every module: constructing one cost more than decoding a manifest. */
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** The manifest embedded in module bytes, or undefined; throws ManifestError when it is invalid (the loader's and toolchain's reading). */
export function readManifestSection(bytes: Uint8Array): Manifest | undefined {
  return manifestFromSections(customSectionPayloads(bytes, MANIFEST_SECTION_NAME));
}

/** The mode attributes the mode transform embedded in module bytes, or undefined. */
export function readModesSection(bytes: Uint8Array): Readonly<Record<string, ModeAttribute>> | undefined {
  return modesFromSections(customSectionPayloads(bytes, MODES_SECTION_NAME));
}

/** The manifest embedded in a decoded module, or undefined; problems become findings (the verifier's reading). */
export function embeddedManifestOf(module: DecodedModule, findings: Finding[]): Manifest | undefined {
  const sections = module.customSections.filter((section) => section.name === MANIFEST_SECTION_NAME);
  if (sections.length === 0) return undefined;
  if (sections.length > 1) {
    findings.push(finding("manifest-duplicate", `module has ${sections.length} '${MANIFEST_SECTION_NAME}' sections; expected one`,
      { item: MANIFEST_SECTION_NAME, byteOffset: sections[1]!.start }));
    return undefined;
  }
  const section = sections[0]!;
  let parsed: unknown;
  try {
    parsed = JSON.parse(strictUtf8.decode(module.bytes.subarray(section.contentStart, section.end)));
  } catch (error) {
    findings.push(finding("manifest-invalid", `'${MANIFEST_SECTION_NAME}' is not utf-8 json: ${(error as Error).message}`,
      { item: MANIFEST_SECTION_NAME, byteOffset: section.start }));
    return undefined;
  }
  return checkManifest(parsed, findings, section.start);
}

/**
 * Checks a manifest with the ABI's one validator (`manifestProblems`) and turns its problems into
 * findings; returns the manifest to check the module against, or undefined when its outline is
 * broken. An entry point's bad mode or fuel is a finding of its own, not the manifest's end.
 */
export function checkManifest(value: unknown, findings: Finding[], byteOffset?: number): Manifest | undefined {
  let usable = true;
  for (const problem of manifestProblems(value)) {
    if (problem.kind === "outline") {
      usable = false;
      findings.push(finding("manifest-invalid", `manifest ${problem.item}: ${problem.message}`, { item: byteOffset === undefined ? "manifest" : MANIFEST_SECTION_NAME, byteOffset }));
    } else {
      findings.push(finding(problem.kind === "entry-mode" ? "entry-point-mode-invalid" : "entry-point-fuel-invalid", problem.message, { item: problem.item }));
    }
  }
  return usable ? value as Manifest : undefined;
}
