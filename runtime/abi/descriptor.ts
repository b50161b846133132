// The shape of one kernel ABI call as the kernel, the verifier and the user-domain trap stubs
// all see it. The table itself is generated from runtime/wit/singlet.wit.
export type CoreValueType = "i32" | "i64" | "f32" | "f64";

export type AbiScalarType =
  | "bool" | "u8" | "u16" | "u32" | "u64" | "s8" | "s16" | "s32" | "s64" | "f32" | "f64" | "char";
export type AbiValueType = AbiScalarType | "string" | "list<u8>";

export interface AbiParameter {
  readonly name: string;
  readonly type: AbiValueType;
}

export interface SyscallDescriptor {
  /** Index in the syscall table; stable within an ABI version. */
  readonly number: number;
  readonly interfaceName: string;
  readonly functionName: string;
  /** `interface.function`, the name used in logs, docs and the syscall table. */
  readonly qualifiedName: string;
  /** The Wasm import module: the WIT interface's full name. */
  readonly importModule: string;
  readonly parameters: readonly AbiParameter[];
  readonly result: AbiValueType | null;
  /** Canonical-ABI flattening: what the core module must import exactly. */
  readonly coreParameters: readonly CoreValueType[];
  readonly coreResults: readonly CoreValueType[];
}

export interface ExportDescriptor {
  readonly name: string;
  readonly parameters: readonly AbiParameter[];
  readonly result: AbiValueType | null;
  readonly coreParameters: readonly CoreValueType[];
  readonly coreResults: readonly CoreValueType[];
}
