// WIT reader for the subset the kernel ABI uses: one package, interfaces of functions over
// scalar types, `string` and `list<u8>`, and one world. Anything else is refused by name, so
// the ABI cannot silently grow a type the generators do not lower.
import { WitSyntaxError } from "./errors.js";

export type WitScalarType =
  | "bool" | "u8" | "u16" | "u32" | "u64" | "s8" | "s16" | "s32" | "s64" | "f32" | "f64" | "char";
export type WitType = WitScalarType | "string" | "list<u8>";

export interface WitParameter { readonly name: string; readonly type: WitType }
export interface WitFunction {
  readonly name: string;
  readonly parameters: readonly WitParameter[];
  readonly result: WitType | null;
  readonly documentation: string;
}
export interface WitInterface {
  readonly name: string;
  readonly functions: readonly WitFunction[];
  readonly documentation: string;
}
export interface WitWorld {
  readonly name: string;
  readonly imports: readonly string[];
  readonly exports: readonly WitFunction[];
}
export interface WitPackage {
  readonly namespace: string;
  readonly name: string;
  readonly version: string;
  readonly interfaces: readonly WitInterface[];
  readonly world: WitWorld;
}

const SCALAR_TYPES: ReadonlySet<string> = new Set([
  "bool", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64", "char",
]);

interface Token { readonly text: string; readonly line: number; readonly documentation: string }

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let documentation: string[] = [];
  const lines = source.split("\n");
  for (let lineIndex = 0; lineIndex < lines.length; lineIndex++) {
    let line = lines[lineIndex]!;
    const trimmed = line.trim();
    if (trimmed.startsWith("///")) {
      documentation.push(trimmed.slice(3).trim());
      continue;
    }
    const comment = line.indexOf("//");
    if (comment >= 0) line = line.slice(0, comment);
    const pattern = /[A-Za-z_][A-Za-z0-9_-]*(?::[A-Za-z0-9_-]+)?(?:@[0-9][0-9A-Za-z.+-]*)?|->|[{}();:,<>]/g;
    const stripped = line.replace(pattern, " ");
    if (stripped.trim() !== "") {
      throw new WitSyntaxError(`unexpected characters ${JSON.stringify(stripped.trim())}`, lineIndex + 1);
    }
    for (const match of line.matchAll(pattern)) {
      tokens.push({ text: match[0], line: lineIndex + 1, documentation: documentation.join(" ") });
      documentation = [];
    }
  }
  return tokens;
}

class Reader {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}
  peek(): Token | undefined { return this.tokens[this.position]; }
  next(): Token {
    const token = this.tokens[this.position++];
    if (!token) throw new WitSyntaxError("unexpected end of file", this.tokens.at(-1)?.line ?? 0);
    return token;
  }
  expect(text: string): Token {
    const token = this.next();
    if (token.text !== text) throw new WitSyntaxError(`expected '${text}', found '${token.text}'`, token.line);
    return token;
  }
  atEnd(): boolean { return this.position >= this.tokens.length; }
}

function readType(reader: Reader): WitType {
  const token = reader.next();
  if (SCALAR_TYPES.has(token.text)) return token.text as WitScalarType;
  if (token.text === "string") return "string";
  if (token.text === "list") {
    reader.expect("<");
    const element = reader.next();
    if (element.text !== "u8") {
      throw new WitSyntaxError(`only list<u8> is supported by the kernel ABI, found list<${element.text}>`, element.line);
    }
    reader.expect(">");
    return "list<u8>";
  }
  throw new WitSyntaxError(`type '${token.text}' is not supported by the kernel ABI`, token.line);
}

function readFunction(reader: Reader, nameToken: Token): WitFunction {
  reader.expect(":");
  reader.expect("func");
  reader.expect("(");
  const parameters: WitParameter[] = [];
  while (reader.peek()?.text !== ")") {
    const name = reader.next().text;
    reader.expect(":");
    parameters.push({ name, type: readType(reader) });
    if (reader.peek()?.text === ",") reader.next();
  }
  reader.expect(")");
  let result: WitType | null = null;
  if (reader.peek()?.text === "->") {
    reader.next();
    result = readType(reader);
  }
  reader.expect(";");
  return { name: nameToken.text, parameters, result, documentation: nameToken.documentation };
}

export function parseWit(source: string): WitPackage {
  const reader = new Reader(tokenize(source));
  reader.expect("package");
  const packageToken = reader.next();
  const packageMatch = /^([a-z][a-z0-9-]*):([a-z][a-z0-9-]*)@(.+)$/.exec(packageToken.text);
  if (!packageMatch) throw new WitSyntaxError(`package name '${packageToken.text}' is not namespace:name@version`, packageToken.line);
  reader.expect(";");
  const interfaces: WitInterface[] = [];
  let world: WitWorld | undefined;
  while (!reader.atEnd()) {
    const keyword = reader.next();
    if (keyword.text === "interface") {
      const nameToken = reader.next();
      reader.expect("{");
      const functions: WitFunction[] = [];
      while (reader.peek()?.text !== "}") functions.push(readFunction(reader, reader.next()));
      reader.expect("}");
      interfaces.push({ name: nameToken.text, functions, documentation: keyword.documentation });
    } else if (keyword.text === "world") {
      if (world) throw new WitSyntaxError("only one world is supported", keyword.line);
      const name = reader.next().text;
      reader.expect("{");
      const imports: string[] = [];
      const exports: WitFunction[] = [];
      while (reader.peek()?.text !== "}") {
        const direction = reader.next();
        if (direction.text === "import") {
          const target = reader.next();
          if (!interfaces.some((candidate) => candidate.name === target.text)) {
            throw new WitSyntaxError(`world imports unknown interface '${target.text}'`, target.line);
          }
          imports.push(target.text);
          reader.expect(";");
        } else if (direction.text === "export") {
          const nameToken = reader.next();
          exports.push(readFunction(reader, { ...nameToken, documentation: direction.documentation }));
        } else {
          throw new WitSyntaxError(`expected import or export, found '${direction.text}'`, direction.line);
        }
      }
      reader.expect("}");
      world = { name, imports, exports };
    } else {
      throw new WitSyntaxError(`expected interface or world, found '${keyword.text}'`, keyword.line);
    }
  }
  if (!world) throw new WitSyntaxError("the package declares no world", 0);
  return {
    namespace: packageMatch[1]!, name: packageMatch[2]!, version: packageMatch[3]!, interfaces, world,
  };
}
