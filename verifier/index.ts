// The verifier's public face: decides whether a module may run in the kernel domain.
export { verifyModule, POLICY_VERSION, type VerifyOptions } from "./verify.js";
export { readFunctionNames } from "./names.js";
export type { Finding, FindingLocation, VerdictClass, VerificationResult, VerificationStats } from "./verdict.js";
