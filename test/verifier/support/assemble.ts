// WAT fixtures for the verifier suites: the shared assembler and a module that passes every check.
export { assembleWat as assemble } from "../../helpers/wat.js";

/**
 * A module that passes every check: kernel memory with a maximum, `cabi_realloc`, `main`, and
 * `extra` fields spliced in. Rejection rows change one thing about it.
 */
export function kernelApp(extra = "", main = "(i32.const 0)"): string {
  return `(module
  ${extra}
  (memory (export "memory") 1 16)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
  (func (export "main") (result i32) ${main}))`;
}
