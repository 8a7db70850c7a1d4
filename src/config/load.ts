// Finding, reading and checking a config file. JSON is parsed strictly; .mjs/.js are imported where they are; .ts
// is transpiled in memory with the typescript package (the user's, else ours) into a private temp folder and
// imported from there, its imports pointed back at the user's folder. Relative paths in the file resolve against
// the file's folder. Every problem — the shape, the relations, the files it names — comes out in one
// SB_BAD_CONFIG (exit 2), each with its path in the file.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as TS from 'typescript';
import { StackbenchError } from '../errors.js';
import { keysOf, problemLines } from './problems.js';
import {
  ConfigSchema,
  formatAt,
  missingValues,
  noValue,
  type CommandTarget,
  type ConfigOutput,
  type UrlTarget,
  type UserStack,
} from './schema.js';

/** Looked for in this order when no file is named. */
export const CONFIG_FILES = [
  'stackbench.config.json',
  'stackbench.config.mjs',
  'stackbench.config.js',
  'stackbench.config.ts',
] as const;

/** A command's cwd is always set once loaded: absolute, the file's folder when the file gave none. */
export type ResolvedCommandTarget = CommandTarget & { cwd: string };
export type ResolvedTarget = UrlTarget | ResolvedCommandTarget;
export type ResolvedStack = UserStack & { cwd: string };

/**
 * A checked config: defaults applied; cwd, bodyFile and against absolute; a bodyFile's content in `body`.
 * `duration` and `thresholds` are checked text: parseDuration and parseRunThreshold read them.
 */
export interface ResolvedConfig extends Omit<ConfigOutput, 'targets' | 'stacks'> {
  targets: Record<string, ResolvedTarget>;
  stacks: ResolvedStack[];
}

export interface LoadedConfig {
  config: ResolvedConfig;
  /** The file it came from, absolute. */
  file: string;
}

/**
 * The config named by `path` (relative to `cwd`), or the first of CONFIG_FILES in `cwd`; undefined when no
 * path is given and none exists. Throws SB_BAD_CONFIG with every problem of the file.
 */
export async function loadConfig(path?: string, cwd = process.cwd()): Promise<LoadedConfig | undefined> {
  const file = path === undefined ? findConfig(cwd) : resolve(cwd, path);
  if (file === undefined) return undefined;
  return { config: checkConfig(await readConfig(file), file), file };
}

/** The first of CONFIG_FILES in a folder. */
export function findConfig(cwd: string): string | undefined {
  return CONFIG_FILES.map((f) => join(cwd, f)).find(isFile);
}

/** Finds the typescript package for a .ts file; undefined when there is none. */
export type TypescriptLoader = (file: string) => typeof TS | undefined;

/** The file's content, unchecked: parsed JSON, or a module's default (or `config`) export. */
export async function readConfig(
  file: string,
  typescript: TypescriptLoader = typescriptFor,
): Promise<unknown> {
  if (isDir(file))
    throw bad(file, ['it is a folder'], `name the file in it, e.g. ${join(file, CONFIG_FILES[0])}`);
  if (!isFile(file)) {
    throw bad(file, ['no such file'], 'check the path, or omit it to use stackbench.config.* here');
  }
  const ext = extname(file);
  if (ext === '.json') return parseJson(file);
  if (ext === '.mjs' || ext === '.js' || ext === '.cjs') {
    // A query makes each load read the file again instead of the module cache's copy.
    return exported(file, await importModule(`${pathToFileURL(file).href}?load=${++loads}`, file));
  }
  if (ext === '.ts' || ext === '.mts') return exported(file, await importTypescript(file, typescript));
  throw bad(
    file,
    [`"${ext || 'no extension'}" is not a config file type`],
    `name it ${CONFIG_FILES.join(', ')}`,
  );
}

let loads = 0;

/** Checks a file's content and resolves its paths; throws SB_BAD_CONFIG listing every problem. */
export function checkConfig(raw: unknown, file: string): ResolvedConfig {
  const parsed = ConfigSchema.safeParse(raw, { reportInput: true });
  const problems = parsed.success ? [] : problemLines(parsed.error.issues, knownKeys());
  // The files it names are checked even when the shape is wrong (on the raw content, without changing it).
  problems.push(...resolvePaths(parsed.success ? parsed.data : raw, dirname(file), parsed.success));
  if (problems.length || !parsed.success) throw bad(file, problems);
  return parsed.data as ResolvedConfig;
}

/** The error for a file's problems: one line, every problem in it. */
export function configError(file: string, problems: string[], fix?: string): StackbenchError {
  const detail = problems.length === 1 ? problems[0]! : `${problems.length} problems: ${problems.join('; ')}`;
  return new StackbenchError('SB_BAD_CONFIG', [file, detail], fix === undefined ? [] : [fix]);
}
const bad = configError;

let known: string[] | undefined;
const knownKeys = () => (known ??= keysOf(ConfigSchema));

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isFile = (p: string) => existsSync(p) && statSync(p).isFile();
const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
const firstLine = (e: unknown) => String(e instanceof Error ? e.message : e).split('\n')[0]!;

/** A body file is read whole into memory; a larger one is a mistake, not a workload. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * Makes cwd, bodyFile and against absolute (when `apply`), checks that each exists, reads each bodyFile into
 * `body` and checks its placeholders. Reads `config` as unknown: it may be content that failed the schema.
 */
function resolvePaths(config: unknown, dir: string, apply: boolean): string[] {
  const problems: string[] = [];
  if (!isRecord(config)) return problems;
  const folder = (owner: Record<string, unknown>, at: PropertyKey[]) => {
    if (owner.cwd === undefined) {
      if (apply) owner.cwd = dir;
    } else if (typeof owner.cwd === 'string') {
      const abs = resolve(dir, owner.cwd);
      if (!isDir(abs)) problems.push(`${formatAt([...at, 'cwd'])}: no such folder ${abs}`);
      if (apply) owner.cwd = abs;
    }
  };
  if (isRecord(config.targets)) {
    for (const [name, t] of Object.entries(config.targets)) {
      if (isRecord(t) && t.command !== undefined) folder(t, ['targets', name]);
    }
  }
  if (Array.isArray(config.stacks))
    config.stacks.forEach((s: unknown, i) => isRecord(s) && folder(s, ['stacks', i]));

  const values = isRecord(config.values) ? config.values : {};
  const bodies = (list: unknown, at: PropertyKey[]) => {
    if (!Array.isArray(list)) return;
    list.forEach((r: unknown, i) => {
      if (!isRecord(r) || typeof r.bodyFile !== 'string') return;
      const abs = resolve(dir, r.bodyFile);
      const where = formatAt([...at, i, 'bodyFile']);
      let text: string;
      try {
        if (statSync(abs).size > MAX_BODY_BYTES) throw new Error(`larger than ${MAX_BODY_BYTES >> 20} MiB`);
        text = readFileSync(abs, 'utf8');
      } catch (e) {
        problems.push(`${where}: cannot read ${abs}: ${(e as NodeJS.ErrnoException).code ?? firstLine(e)}`);
        return;
      }
      for (const p of missingValues(text, values)) problems.push(`${where}: ${noValue(p)} (in ${abs})`);
      if (apply) Object.assign(r, { bodyFile: abs, body: text });
    });
  };
  bodies(config.requests, ['requests']);
  if (isRecord(config.mixes))
    for (const [name, list] of Object.entries(config.mixes)) bodies(list, ['mixes', name]);

  if (typeof config.against === 'string') {
    const abs = resolve(dir, config.against);
    if (!isFile(abs)) problems.push(`against: no such file ${abs}`);
    if (apply) config.against = abs;
  }
  return problems;
}

function parseJson(file: string): unknown {
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw bad(file, [`not valid JSON: ${jsonWhere(firstLine(e), text)}`]);
  }
}

/** V8 names a JSON error's offset ("at position 42"): say the line and column, which an editor shows. */
function jsonWhere(message: string, text: string): string {
  const m = /at position (\d+)/.exec(message);
  if (!m || /\bline\b/.test(message)) return message;
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${message} (line ${line}, column ${column})`;
}

async function importModule(url: string, file: string): Promise<Record<string, unknown>> {
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (e) {
    throw bad(file, [`cannot load it: ${firstLine(e)}`]);
  }
}

async function exported(file: string, mod: Record<string, unknown>): Promise<unknown> {
  const config = mod.default !== undefined ? mod.default : mod.config;
  if (config === undefined) {
    throw bad(
      file,
      ['it exports no config'],
      'export it as the default export (export default defineConfig({ ... })) or as `export const config`',
    );
  }
  return await config; // a promise of a config is awaited: `export default loadSomething()`
}

/** The typescript package: from the config's own folder first (the user's project), then stackbench's. */
function typescriptFor(file: string): typeof TS | undefined {
  for (const from of [file, fileURLToPath(import.meta.url)]) {
    try {
      return createRequire(from)('typescript') as typeof TS;
    } catch {
      // not installed there
    }
  }
  return undefined;
}

/**
 * A .ts config, transpiled (types erased, never checked: the schema checks the value) and imported from a
 * private temp folder (mkdtemp: 0700, ours), which is removed once the module has run.
 */
async function importTypescript(
  file: string,
  typescript: TypescriptLoader,
): Promise<Record<string, unknown>> {
  const ts = typescript(file);
  if (!ts) {
    throw bad(
      file,
      ['reading a .ts config needs the typescript package, which is not installed'],
      'rename it to stackbench.config.mjs (plain JavaScript: drop the type annotations), or install typescript (npm install --save-dev typescript)',
    );
  }
  const out = ts.transpileModule(readFileSync(file, 'utf8'), {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false },
    transformers: { after: [pointBack(ts, file)] },
  });
  const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length)
    throw bad(
      file,
      errors.map((d) => diagnosticLine(ts, d)),
    );
  const dir = mkdtempSync(join(tmpdir(), 'stackbench-config-'));
  try {
    const js = join(dir, basename(file).replace(/\.m?ts$/, '.mjs'));
    writeFileSync(js, out.outputText, { mode: 0o600 });
    return await importModule(pathToFileURL(js).href, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function diagnosticLine(ts: typeof TS, d: TS.Diagnostic): string {
  const text = ts.flattenDiagnosticMessageText(d.messageText, ' ');
  if (!d.file || d.start === undefined) return text;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return `line ${line + 1}, column ${character + 1}: ${text}`;
}

/** Our own config module, for `import { defineConfig } from 'stackbench/config'` in a file run from tmp. */
const SELF = new URL('./index.js', import.meta.url).href;

/**
 * The transpiled module runs from the temp folder, so what it names relative to itself is pointed back at the
 * config's folder: relative imports become absolute file URLs, packages are resolved from the config's folder,
 * stackbench itself is this installation, and import.meta.url / dirname / filename are the config file's.
 */
function pointBack(ts: typeof TS, file: string): TS.TransformerFactory<TS.SourceFile> {
  const from = createRequire(file);
  const specifier = (spec: string): string => {
    if (spec === 'stackbench' || spec === 'stackbench/config') return SELF;
    if (spec.startsWith('./') || spec.startsWith('../') || spec.startsWith('/')) {
      return pathToFileURL(resolve(dirname(file), spec)).href;
    }
    if (isBuiltin(spec) || /^[a-z][a-z0-9+.-]*:/i.test(spec)) return spec; // node:fs, file:, data:
    try {
      return pathToFileURL(from.resolve(spec)).href;
    } catch {
      return spec; // not found there either: the import fails and says which package
    }
  };
  const meta: Record<string, string> = {
    url: pathToFileURL(file).href,
    filename: file,
    dirname: dirname(file),
  };
  return (ctx) => (source) => {
    const f = ctx.factory;
    const literal = (e: TS.Expression) =>
      ts.isStringLiteral(e) ? f.createStringLiteral(specifier(e.text)) : e;
    const visit = (node: TS.Node): TS.Node => {
      if (ts.isImportDeclaration(node)) {
        const spec = literal(node.moduleSpecifier);
        return f.updateImportDeclaration(node, node.modifiers, node.importClause, spec, node.attributes);
      }
      if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
        const spec = literal(node.moduleSpecifier);
        return f.updateExportDeclaration(
          node,
          node.modifiers,
          node.isTypeOnly,
          node.exportClause,
          spec,
          node.attributes,
        );
      }
      if (
        ts.isCallExpression(node) &&
        node.expression.kind === ts.SyntaxKind.ImportKeyword &&
        node.arguments[0]
      ) {
        const [first, ...rest] = node.arguments;
        return f.updateCallExpression(node, node.expression, node.typeArguments, [
          literal(ts.visitNode(first, visit) as TS.Expression),
          ...rest.map((a) => ts.visitNode(a, visit) as TS.Expression),
        ]);
      }
      if (
        ts.isPropertyAccessExpression(node) &&
        ts.isMetaProperty(node.expression) &&
        node.expression.keywordToken === ts.SyntaxKind.ImportKeyword &&
        Object.hasOwn(meta, node.name.text)
      ) {
        return f.createStringLiteral(meta[node.name.text]!);
      }
      return ts.visitEachChild(node, visit, ctx);
    };
    return ts.visitNode(source, visit) as TS.SourceFile;
  };
}
