// Stage one: is it a module at all? V8's validator decides; its message and offset explain.
import { finding } from "../codes.js";
import type { Finding } from "../verdict.js";

/** Returns a `malformed-module` finding when V8 rejects the bytes, else undefined. */
export function validateWithEngine(bytes: Uint8Array<ArrayBuffer>): Finding | undefined {
  if (WebAssembly.validate(bytes)) return undefined;
  let detail = "not a valid WebAssembly module";
  try {
    new WebAssembly.Module(bytes);
  } catch (error) {
    detail = (error as Error).message.replace(/^WebAssembly\.Module\(\): /, "");
  }
  const match = /@\+(\d+)/.exec(detail);
  const byteOffset = match ? Number(match[1]) : undefined;
  return finding("malformed-module", `malformed module: ${detail}`, byteOffset === undefined ? undefined : { byteOffset });
}
