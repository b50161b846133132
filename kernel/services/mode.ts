// Mode service: tells code where it runs.
import type { CallContext } from "../syscalls/context.js";

export const KERNEL_MODE = 1;
export const USER_MODE = 0;

export function currentMode(context: CallContext): number {
  return context.process.domain === "kernel" ? KERNEL_MODE : USER_MODE;
}
