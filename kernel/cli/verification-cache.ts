// The on-disk verification cache `singlet run` uses: verdicts kept between runs (see
// kernel/loader/verification-store.ts), in the folder cache-settings.ts names, unless turned off.
import { VerificationStore } from "../loader/index.js";
import { cacheDirectory, cachingDisabled, NO_CACHE_FLAG } from "./cache-settings.js";

export { NO_CACHE_FLAG };

/** The store a command should use, or undefined when the flag or the environment turns it off. */
export function verificationStoreFor(flags: ReadonlySet<string>, environment: NodeJS.ProcessEnv = process.env): VerificationStore | undefined {
  if (cachingDisabled(flags.has(NO_CACHE_FLAG) ? [`--${NO_CACHE_FLAG}`] : [], environment)) return undefined;
  return new VerificationStore(cacheDirectory("verification", environment));
}
