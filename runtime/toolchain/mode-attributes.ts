// Reads mode attributes (`@kernelMode`, `@userMode`, `@callersMode`) off a parsed
// AssemblyScript program, strips them, and rejects decorators asc does not know: asc itself
// ignores an unknown decorator, so `@kernelmode` would silently leave a function in the
// caller's mode.
import { CommonFlags, NodeKind } from "assemblyscript";
import type { ModeAttribute } from "../abi/manifest.js";

/** Source decorator → mode attribute (DESIGN.md, Mode attributes at module boundaries). */
export const MODE_DECORATORS: Readonly<Record<string, ModeAttribute>> = {
  kernelMode: "kernel",
  userMode: "user",
  callersMode: "callers",
};

/** Decorators the AssemblyScript compiler itself understands; anything else on a function is a typo. */
export const COMPILER_DECORATORS: readonly string[] = [
  "global", "operator", "operator.binary", "operator.prefix", "operator.postfix", "unmanaged",
  "final", "inline", "external", "external.js", "builtin", "lazy", "unsafe",
];

export const KNOWN_FUNCTION_DECORATORS: readonly string[] = [...Object.keys(MODE_DECORATORS), ...COMPILER_DECORATORS];

/** A build failure with the place it comes from, formatted as `file:line: message`. */
export class ModeAttributeError extends Error {
  constructor(readonly file: string, readonly line: number, readonly detail: string) {
    super(`${file}:${line}: ${detail}`);
    this.name = "ModeAttributeError";
    // asc prints a transform's failure through its stack: keep it to the message.
    this.stack = this.message;
  }
}

// The few AST shapes this pass reads, typed structurally so the pass does not depend on the
// compiler's internal declaration files.
interface Expression { readonly kind: number; readonly text?: string; readonly expression?: Expression; readonly property?: Expression }
interface Range { readonly start: number; readonly source: { lineAt(position: number): number } }
interface Decorator { readonly name: Expression; readonly range: Range }
interface Statement {
  readonly kind: number;
  readonly range: Range;
  readonly name?: Expression;
  decorators?: Decorator[] | null;
  readonly flags?: number;
  readonly members?: Statement[];
  readonly declaration?: Statement;
}
export interface ParsedSource { readonly normalizedPath: string; readonly internalPath: string; readonly sourceKind: number; readonly statements: Statement[] }

/** A mode attribute found on an exported function, keyed by the compiler's internal function name. */
export interface RecordedMode {
  readonly internalName: string;
  readonly functionName: string;
  readonly mode: ModeAttribute;
  readonly file: string;
  readonly line: number;
}

function decoratorName(expression: Expression): string {
  if (expression.kind === NodeKind.Identifier) return expression.text ?? "";
  if (expression.kind === NodeKind.PropertyAccess && expression.expression && expression.property) {
    return `${decoratorName(expression.expression)}.${decoratorName(expression.property)}`;
  }
  return "(expression)";
}

function lineOf(range: Range): number {
  return range.source.lineAt(range.start);
}

/** Library sources are the compiler's own; attributes are checked in the app's sources only. */
function isUserSource(source: ParsedSource): boolean {
  return source.sourceKind === 0 || source.sourceKind === 1;
}

/**
 * Walks every user source: records mode attributes on exported top-level functions, removes
 * them from the AST, and throws ModeAttributeError for an unknown decorator on a function or
 * method, or a mode attribute anywhere it cannot mean anything.
 */
export function collectModeAttributes(sources: readonly ParsedSource[]): RecordedMode[] {
  const recorded: RecordedMode[] = [];
  for (const source of sources) {
    if (!isUserSource(source)) continue;
    visitStatements(source, source.statements, recorded, true);
  }
  return recorded;
}

function visitStatements(source: ParsedSource, statements: readonly Statement[], recorded: RecordedMode[], topLevel: boolean): void {
  for (const statement of statements) {
    switch (statement.kind) {
      case NodeKind.FunctionDeclaration:
        checkFunction(source, statement, recorded, topLevel);
        break;
      case NodeKind.MethodDeclaration:
        checkFunction(source, statement, recorded, false);
        break;
      case NodeKind.NamespaceDeclaration:
      case NodeKind.ClassDeclaration:
        visitStatements(source, statement.members ?? [], recorded, false);
        break;
      default:
        break;
    }
  }
}

function checkFunction(source: ParsedSource, declaration: Statement, recorded: RecordedMode[], topLevel: boolean): void {
  const decorators = declaration.decorators;
  if (!decorators || decorators.length === 0) return;
  const functionName = declaration.name ? decoratorName(declaration.name) : "(anonymous)";
  let mode: ModeAttribute | undefined;
  const kept: Decorator[] = [];
  for (const decorator of decorators) {
    const name = decoratorName(decorator.name);
    const line = lineOf(decorator.range);
    const attribute = MODE_DECORATORS[name];
    if (attribute !== undefined) {
      if (!topLevel) {
        throw new ModeAttributeError(source.normalizedPath, line, `@${name} on '${functionName}': mode attributes apply to exported top-level functions only`);
      }
      if (mode !== undefined) {
        throw new ModeAttributeError(source.normalizedPath, line, `'${functionName}' has more than one mode attribute (@${name} after another)`);
      }
      mode = attribute;
      continue;
    }
    if (!COMPILER_DECORATORS.includes(name)) {
      throw new ModeAttributeError(source.normalizedPath, line,
        `unknown decorator @${name} on '${functionName}'; known decorators: ${KNOWN_FUNCTION_DECORATORS.map((known) => `@${known}`).join(", ")}`);
    }
    kept.push(decorator);
  }
  if (mode === undefined) return;
  const line = lineOf(declaration.range);
  if (((declaration.flags ?? 0) & CommonFlags.Export) === 0) {
    throw new ModeAttributeError(source.normalizedPath, line, `mode attribute on '${functionName}', which is not exported: only exports can be called across a module boundary`);
  }
  declaration.decorators = kept.length > 0 ? kept : null;
  recorded.push({ internalName: `${source.internalPath}/${functionName}`, functionName, mode, file: source.normalizedPath, line });
}
