// The verifier's public face: decides whether a module may run in the kernel domain, bounds
// its running time with fuel, and explains every refusal.
export { verifyModule, verificationCacheKey, POLICY_VERSION, type VerifyOptions } from "./verify.js";
export { readFunctionNames, decodeFunctionNames, decodeNames, type ModuleNames } from "./names.js";
export { Reader, DecodeError } from "./binary/reader.js";
export { createVerificationCache, sharedVerificationCache, type VerificationCache } from "./cache.js";
export { formatVerificationLog, verificationToJson, type FormatOptions } from "./log.js";
export { FINDING_CODES, REFUSED_IN_EVERY_DOMAIN, type FindingCode } from "./codes.js";
export {
  FUEL_IMPORT_MODULE, FUEL_IMPORT_NAME, FUEL_GLOBAL_EXPORT, FUEL_AT_INSTANTIATION, BULK_BYTES_PER_FUEL,
  fuelImports, fuelBudgetFor, fuelGlobalOf, setFuel,
} from "./fuel-contract.js";
export { fuelGaugeOf, meteredCallOf, meteredCallOfThree, type FuelGauge, type MeteredCall, type MeteredCallOfThree } from "./fuel-gauge.js";
export * as limits from "./limits.js";
export type { Finding, FindingLocation, VerdictClass, VerificationResult, VerificationStats } from "./verdict.js";
export { checkComponent, KERNEL_WIT_PATH, type ComponentCheck, type ComponentCheckOptions } from "./component.js";
export { boundResources, type ResourceBounds, type BoundingResult } from "./rewrite/resource-bounds.js";
export { KERNEL_START_EXPORT } from "./checks/policy.js";
export { readManifestSection, readModesSection } from "./manifest.js";
