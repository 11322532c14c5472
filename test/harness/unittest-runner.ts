// Runs test suites written in the helm-unittest plugin's YAML format
// (https://github.com/helm-unittest/helm-unittest, DOCUMENT.md) against the real `helm template`
// binaries, because the plugin itself cannot be installed here. The same files stay runnable by
// `helm unittest` elsewhere.
//
// Semantics follow the plugin's documentation and source (pkg/unittest/{test_suite,test_job,
// assertion}.go, validators/*.go, valueutils/*.go). Where the plugin's behaviour cannot be
// reproduced through the Helm CLI, or where it passes vacuously, this runner is stricter, so a suite
// that passes here also passes under the plugin. Anything not implemented fails the test with
// "unsupported ...": it is never ignored.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse as parseYaml, parseAllDocuments, parseDocument, stringify } from 'yaml';
import { Helm, runHelm } from './helm';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export type Manifest = Record<string, unknown>;

export interface UnittestCase {
  /** The test's `it:`. */
  name: string;
  def: Record<string, unknown>;
  /** Set when the entry is not a mapping. */
  error?: string;
}

export interface Suite {
  /** Absolute path of the suite file; `values:` files are resolved against its directory. */
  file: string;
  /** `suite:`, or the file name. */
  name: string;
  def: Record<string, unknown>;
  tests: UnittestCase[];
  /** Set when the file cannot be used at all; runSuite reports it as one failed test. */
  loadError?: string;
}

export interface TestResult {
  suite: string;
  test: string;
  passed: boolean;
  skipped: boolean;
  /** One entry per failed assertion (or one for a test that could not run), multi-line. */
  failures: string[];
}

/** A helm-unittest feature this runner does not implement. */
export class UnsupportedError extends Error {}
/** A suite that is malformed (wrong type, missing field, ...). */
export class SuiteError extends Error {}

// ---------------------------------------------------------------------------------------------
// YAML values with Go's type distinctions
// ---------------------------------------------------------------------------------------------

// The plugin compares with reflect.DeepEqual on yaml.v3-decoded values, where `1` (int) differs from
// `1.0` or `1e+06` (float64). Parsing integers as BigInt keeps that distinction (BigInt !== number).
const YAML_OPTIONS = { intAsBigInt: true, merge: true } as const;

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** reflect.DeepEqual for decoded YAML: types must match (int vs float, string vs number). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === null || b === null) return a === b;
  if (typeof a !== typeof b) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return a === b;
}

/** Renders a value for failure messages. */
function show(v: unknown): string {
  return stringify(v === undefined ? null : v, { lineWidth: 0 }).trimEnd();
}

const indent = (text: string, by = '  '): string =>
  text
    .split('\n')
    .map((l) => by + l)
    .join('\n');

// ---------------------------------------------------------------------------------------------
// Paths: the plugin evaluates `path` with vmware-labs/yaml-jsonpath. Supported here: dotted keys,
// `['key']`/`["key"]` (also unions), `[n]` (negative from the end), `[a:b:s]`, `*`, `..key`, and
// filters `[?(...)]` with @/$ paths, ==, !=, <, <=, >, >=, =~ /re/, existence, &&, ||, ! and ().
// Anything else is an error, which fails the assertion.
// ---------------------------------------------------------------------------------------------

type CmpOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | '=~';
type Operand = { t: 'path'; segs: Segment[]; fromRoot: boolean } | { t: 'lit'; value: unknown } | { t: 're'; re: RegExp };
type FilterExpr =
  | { t: 'and' | 'or'; a: FilterExpr; b: FilterExpr }
  | { t: 'not'; e: FilterExpr }
  | { t: 'exists'; operand: Operand }
  | { t: 'cmp'; op: CmpOp; l: Operand; r: Operand };
type Segment =
  | { t: 'child'; keys: string[] }
  | { t: 'index'; indexes: number[] }
  | { t: 'slice'; start?: number; end?: number; step: number }
  | { t: 'wild' }
  | { t: 'desc'; next: Segment }
  | { t: 'filter'; expr: FilterExpr };

export function parsePath(expr: string): Segment[] {
  const s = expr.trim();
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`cannot parse path "${expr}": ${why} at offset ${i}`);
  };
  const skipWs = (): void => {
    while (s[i] === ' ') i++;
  };
  const key = (): string => {
    const start = i;
    while (i < s.length && s[i] !== '.' && s[i] !== '[') i++;
    if (i === start) fail('expected a key');
    return s.slice(start, i);
  };
  const quoted = (): string => {
    const q = s[i++];
    let out = '';
    while (i < s.length && s[i] !== q) {
      if (s[i] === '\\' && i + 1 < s.length) i++;
      out += s[i++];
    }
    if (i >= s.length) fail('unterminated string');
    i++;
    return out;
  };
  const bracket = (): Segment => {
    i++; // '['
    skipWs();
    let seg: Segment;
    if (s[i] === '?') {
      i++;
      skipWs();
      if (s[i] !== '(') fail("expected '(' after '?'");
      const end = closingParen(s, i);
      if (end < 0) fail('unbalanced filter parentheses');
      seg = { t: 'filter', expr: parseFilter(s.slice(i + 1, end)) };
      i = end + 1;
    } else if (s[i] === "'" || s[i] === '"') {
      const keys = [quoted()];
      for (skipWs(); s[i] === ','; skipWs()) {
        i++;
        skipWs();
        if (s[i] !== "'" && s[i] !== '"') fail('expected a quoted key');
        keys.push(quoted());
      }
      seg = { t: 'child', keys };
    } else if (s[i] === '*') {
      i++;
      seg = { t: 'wild' };
    } else {
      const start = i;
      while (i < s.length && s[i] !== ']') i++;
      const body = s.slice(start, i).trim();
      const int = (x: string): number | undefined => (x.trim() === '' ? undefined : /^-?\d+$/.test(x.trim()) ? Number(x) : fail(`bad number "${x}"`));
      if (body.includes(':')) {
        const [a, b, c] = body.split(':');
        const step = c === undefined ? 1 : (int(c) ?? 1);
        if (step <= 0) fail('only positive slice steps are supported');
        seg = { t: 'slice', start: int(a), end: int(b ?? ''), step };
      } else {
        seg = { t: 'index', indexes: body.split(',').map((x) => int(x) ?? fail('empty index')) };
      }
    }
    skipWs();
    if (s[i] !== ']') fail("expected ']'");
    i++;
    return seg;
  };
  const afterDot = (): Segment => {
    if (s[i] === '*') {
      i++;
      return { t: 'wild' };
    }
    return s[i] === '[' ? bracket() : { t: 'child', keys: [key()] };
  };

  const segs: Segment[] = [];
  if (s[i] === '$') i++;
  if (i < s.length && s[i] !== '.' && s[i] !== '[') segs.push(afterDot());
  while (i < s.length) {
    if (s.startsWith('..', i)) {
      i += 2;
      segs.push({ t: 'desc', next: afterDot() });
    } else if (s[i] === '.') {
      i++;
      segs.push(afterDot());
    } else if (s[i] === '[') {
      segs.push(bracket());
    } else {
      fail(`unexpected '${s[i]}'`);
    }
  }
  return segs;
}

/** Index of the ')' closing the '(' at `open`, skipping quoted strings and /regex/ literals. */
function closingParen(s: string, open: number): number {
  let depth = 0;
  for (let j = open; j < s.length; j++) {
    const c = s[j];
    const regexStart = c === '/' && /=~\s*$/.test(s.slice(open, j));
    if (c === '"' || c === "'" || regexStart) {
      for (j++; j < s.length && s[j] !== c; j++) if (s[j] === '\\') j++;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return j;
  }
  return -1;
}

function parseFilter(src: string): FilterExpr {
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`cannot parse filter "${src}": ${why} at offset ${i}`);
  };
  const skipWs = (): void => {
    while (/\s/.test(src[i] ?? '')) i++;
  };
  const eat = (tok: string): boolean => {
    skipWs();
    if (!src.startsWith(tok, i)) return false;
    i += tok.length;
    return true;
  };
  const operand = (): Operand => {
    skipWs();
    const c = src[i];
    if (c === '@' || c === '$') {
      // A path runs until whitespace, an operator or ')' outside brackets and quotes.
      const start = i;
      let depth = 0;
      for (; i < src.length; i++) {
        const ch = src[i];
        if (ch === '"' || ch === "'") {
          for (i++; i < src.length && src[i] !== ch; i++) if (src[i] === '\\') i++;
        } else if (ch === '[') depth++;
        else if (ch === ']') depth--;
        else if (depth === 0 && /[\s=!<>&|)]/.test(ch)) break;
      }
      return { t: 'path', segs: parsePath('$' + src.slice(start + 1, i)), fromRoot: c === '$' };
    }
    if (c === '"' || c === "'") {
      let out = '';
      for (i++; i < src.length && src[i] !== c; i++) out += src[i] === '\\' ? src[++i] : src[i];
      if (i >= src.length) fail('unterminated string');
      i++;
      return { t: 'lit', value: out };
    }
    const m = /^(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null)/.exec(src.slice(i));
    if (!m) return fail('expected @path, $path, a string, a number, true, false or null');
    i += m[0].length;
    return { t: 'lit', value: m[0] === 'null' ? null : m[0] === 'true' ? true : m[0] === 'false' ? false : Number(m[0]) };
  };
  const regex = (): Operand => {
    skipWs();
    if (src[i] !== '/') fail("expected /regex/ after '=~'");
    let body = '';
    for (i++; i < src.length && src[i] !== '/'; i++) body += src[i] === '\\' && src[i + 1] === '/' ? src[++i] : src[i];
    if (i >= src.length) fail('unterminated regex');
    i++;
    return { t: 're', re: goRegex(body) };
  };
  const comparison = (): FilterExpr => {
    const l = operand();
    skipWs();
    const op = /^(==|!=|<=|>=|=~|<|>)/.exec(src.slice(i))?.[0] as CmpOp | undefined;
    if (!op) return l.t === 'path' ? { t: 'exists', operand: l } : fail('a literal alone is not a condition');
    i += op.length;
    return { t: 'cmp', op, l, r: op === '=~' ? regex() : operand() };
  };
  const unary = (): FilterExpr => {
    skipWs();
    if (src[i] === '!' && src[i + 1] !== '=') {
      i++;
      return { t: 'not', e: unary() };
    }
    if (eat('(')) {
      const e = or();
      if (!eat(')')) fail("expected ')'");
      return e;
    }
    return comparison();
  };
  const and = (): FilterExpr => {
    let e = unary();
    while (eat('&&')) e = { t: 'and', a: e, b: unary() };
    return e;
  };
  const or = (): FilterExpr => {
    let e = and();
    while (eat('||')) e = { t: 'or', a: e, b: and() };
    return e;
  };
  const e = or();
  skipWs();
  if (i < src.length) fail('unexpected trailing text');
  return e;
}

function descendants(n: unknown): unknown[] {
  const out: unknown[] = [n];
  const kids = Array.isArray(n) ? n : isMap(n) ? Object.values(n) : [];
  for (const k of kids) out.push(...descendants(k));
  return out;
}

function step(n: unknown, seg: Segment, root: unknown): unknown[] {
  switch (seg.t) {
    case 'child':
      return isMap(n) ? seg.keys.filter((k) => hasOwn(n, k)).map((k) => n[k]) : [];
    case 'index':
      if (!Array.isArray(n)) return [];
      return seg.indexes
        .map((ix) => (ix < 0 ? n.length + ix : ix))
        .filter((ix) => ix >= 0 && ix < n.length)
        .map((ix) => n[ix]);
    case 'slice': {
      if (!Array.isArray(n)) return [];
      const norm = (x: number | undefined, dflt: number): number => (x === undefined ? dflt : x < 0 ? Math.max(0, n.length + x) : Math.min(x, n.length));
      const out: unknown[] = [];
      for (let k = norm(seg.start, 0); k < norm(seg.end, n.length); k += seg.step) out.push(n[k]);
      return out;
    }
    case 'wild':
      return Array.isArray(n) ? [...n] : isMap(n) ? Object.values(n) : [];
    case 'desc':
      return descendants(n).flatMap((d) => step(d, seg.next, root));
    case 'filter':
      return Array.isArray(n) ? n.filter((el) => evalFilter(seg.expr, el, root)) : [];
  }
}

function evalSegments(start: unknown, segs: Segment[], root: unknown): unknown[] {
  return segs.reduce<unknown[]>((nodes, seg) => nodes.flatMap((n) => step(n, seg, root)), [start]);
}

function evalFilter(e: FilterExpr, node: unknown, root: unknown): boolean {
  const values = (o: Operand): unknown[] => (o.t === 'path' ? evalSegments(o.fromRoot ? root : node, o.segs, root) : o.t === 'lit' ? [o.value] : []);
  switch (e.t) {
    case 'and':
      return evalFilter(e.a, node, root) && evalFilter(e.b, node, root);
    case 'or':
      return evalFilter(e.a, node, root) || evalFilter(e.b, node, root);
    case 'not':
      return !evalFilter(e.e, node, root);
    case 'exists':
      return values(e.operand).length > 0;
    case 'cmp': {
      const ls = values(e.l);
      if (e.r.t === 're') {
        const re = e.r.re;
        return ls.some((l) => typeof l === 'string' && re.test(l));
      }
      const rs = values(e.r);
      return ls.some((l) => rs.some((r) => compare(e.op, l, r)));
    }
  }
}

function compare(op: CmpOp, a: unknown, b: unknown): boolean {
  // Filters compare numbers by value, whatever their YAML type.
  const num = (x: unknown): unknown => (typeof x === 'bigint' ? Number(x) : x);
  const [x, y] = [num(a), num(b)];
  const ordered = (typeof x === 'number' && typeof y === 'number') || (typeof x === 'string' && typeof y === 'string');
  switch (op) {
    case '==':
      return deepEqual(x, y);
    case '!=':
      return !deepEqual(x, y);
    case '<':
      return ordered && (x as number) < (y as number);
    case '<=':
      return ordered && (x as number) <= (y as number);
    case '>':
      return ordered && (x as number) > (y as number);
    case '>=':
      return ordered && (x as number) >= (y as number);
    default:
      return false;
  }
}

/** All values at `path` in `doc` (the plugin's GetValueOfSetPath); the empty path is the document. */
export function queryPath(doc: unknown, p: string): unknown[] {
  return p.trim() === '' ? [doc] : evalSegments(doc, parsePath(p), doc);
}

// ---------------------------------------------------------------------------------------------
// Regular expressions: suites use Go RE2 syntax. Translate what JS lacks and reject what would
// silently mean something else (lookarounds, backreferences are not RE2).
// ---------------------------------------------------------------------------------------------

export function goRegex(pattern: string): RegExp {
  if (/\(\?<?[=!]|\\[1-9]/.test(pattern))
    throw new UnsupportedError(`regex ${JSON.stringify(pattern)} uses lookarounds or backreferences, which Go's RE2 (the plugin) rejects`);
  let flags = '';
  let src = pattern;
  const lead = /^\(\?([ims]+)\)/.exec(src);
  if (lead) {
    flags = [...new Set(lead[1])].join('');
    src = src.slice(lead[0].length);
  }
  if (/\(\?[a-zA-Z-]*[:)]/.test(src)) throw new UnsupportedError(`regex ${JSON.stringify(pattern)}: only leading (?ims) flags are supported`);
  const POSIX: Record<string, string> = {
    alpha: 'a-zA-Z',
    digit: '0-9',
    alnum: 'a-zA-Z0-9',
    upper: 'A-Z',
    lower: 'a-z',
    space: '\\s',
    xdigit: '0-9A-Fa-f',
    word: '\\w',
  };
  src = src
    .replace(/\[:(\^?)(\w+):\]/g, (m, neg: string, name: string) => {
      if (neg || !POSIX[name]) throw new UnsupportedError(`regex ${JSON.stringify(pattern)}: POSIX class ${m} is not supported`);
      return POSIX[name];
    })
    .replace(/\(\?P</g, '(?<')
    .replace(/\\(.)/g, (m, c: string) => {
      if (c === 'z') return '(?![\\s\\S])';
      if (c === 'A') return '(?<![\\s\\S])';
      if (c === 'p' || c === 'P' || c === 'Q') throw new UnsupportedError(`regex ${JSON.stringify(pattern)}: \\${c} is not supported`);
      return m;
    });
  return new RegExp(src, flags);
}

// ---------------------------------------------------------------------------------------------
// Values: `set` keys use the plugin's --set-like syntax (valueutils.BuildValueOfSetPath) and
// everything is merged with its MergeValues, then handed to Helm as one values file, exactly as the
// plugin hands one merged map to the engine. A file (not --set) keeps the YAML types.
// ---------------------------------------------------------------------------------------------

export function buildSetValue(setPath: string, value: unknown): Record<string, unknown> {
  const bad = (why: string): never => {
    throw new SuiteError(`invalid set path "${setPath}": ${why}`);
  };
  if (setPath === '') bad('empty');
  const STOP = '.[],{}=';
  const cursors: Array<string | number> = [];
  let state: 'key' | 'index' | 'denotation' | 'escaping' = 'key';
  let escaped = '';
  let i = 0;
  for (;;) {
    let k = '';
    while (i < setPath.length && !STOP.includes(setPath[i])) k += setPath[i++];
    if (i >= setPath.length) {
      if (state === 'key' && k) cursors.push(k);
      else if (!(state === 'denotation' && !k)) bad('unexpected end');
      break;
    }
    const last = setPath[i++];
    if (',{}='.includes(last)) bad(`invalid token ${last}`);
    if (state === 'index') {
      if (last !== ']' || !/^\d+$/.test(k)) bad('missing index value');
      cursors.push(Number(k));
      state = 'denotation';
    } else if (state === 'denotation') {
      state = last === '.' ? 'key' : last === '[' ? 'index' : bad(`invalid denotation token ${last}`);
    } else if (state === 'key') {
      if (last === '.') {
        cursors.push(k);
      } else if (last === '[' && k === '') {
        state = 'escaping'; // `a.[b.c]` escapes a key containing dots
        escaped = '';
      } else if (last === '[') {
        cursors.push(k);
        state = 'index';
      } else {
        bad(`invalid key ${last}`);
      }
    } else if (last === '.') {
      escaped += k + '.';
    } else if (last === ']') {
      cursors.push(escaped + k);
      state = 'denotation';
    } else {
      bad(`invalid escaping token ${last}`);
    }
  }
  const root: Record<string, unknown> = {};
  let cur: Record<string | number, unknown> = root;
  cursors.forEach((c, depth) => {
    const nextCursor = cursors[depth + 1];
    const next = depth === cursors.length - 1 ? value : typeof nextCursor === 'number' ? new Array(nextCursor + 1).fill(null) : {};
    cur[c] = next;
    cur = next as Record<string | number, unknown>;
  });
  return root;
}

/** valueutils.MergeValues: maps merge deeply, null overrides, lists merge by position (null keeps dst). */
export function mergeValues(dst: Record<string, unknown>, src: Record<string, unknown>): Record<string, unknown> {
  for (const [key, s] of Object.entries(src)) {
    if (s === null || s === undefined) {
      dst[key] = null;
      continue;
    }
    let v = s;
    const d = dst[key];
    if (hasOwn(dst, key) && d !== null) {
      if (isMap(s) && isMap(d)) v = mergeValues(d, s);
      else if (Array.isArray(s) && Array.isArray(d)) v = s.map((item, i) => (item !== null && item !== undefined ? item : i < d.length ? d[i] : null));
    }
    dst[key] = v;
  }
  return dst;
}

// ---------------------------------------------------------------------------------------------
// Suites
// ---------------------------------------------------------------------------------------------

export function parseSuite(text: string, file: string): Suite {
  const base = path.basename(file);
  const broken = (loadError: string): Suite => ({ file, name: base, def: {}, tests: [], loadError });
  let def: unknown;
  try {
    def = parseYaml(text, YAML_OPTIONS);
  } catch (e) {
    return broken(`cannot parse ${file}: ${errorText(e)}`);
  }
  if (!isMap(def)) return broken(`${file}: a suite must be a YAML mapping`);
  const name = typeof def.suite === 'string' ? def.suite : base;
  const rawTests = Array.isArray(def.tests) ? def.tests : [];
  const tests = rawTests.map((t, i): UnittestCase => {
    const name = isMap(t) && typeof t.it === 'string' ? t.it : `tests[${i}]`;
    return isMap(t) ? { name, def: t } : { name, def: {}, error: `${name} must be a mapping` };
  });
  return { file, name, def, tests, loadError: tests.length ? undefined : `${file}: no tests found` };
}

/** Reads `<chartDir>/tests/*_test.yaml` (the plugin's default file pattern). */
export function loadSuites(chartDir: string): Suite[] {
  const dir = path.join(chartDir, 'tests');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('_test.yaml'))
    .sort()
    .map((f) => parseSuite(fs.readFileSync(path.join(dir, f), 'utf8'), path.resolve(dir, f)));
}

interface DocumentSelector {
  path: string;
  value: unknown;
  matchMany: boolean;
  skipEmptyTemplates: boolean;
}

/** One test with its suite's settings folded in (the plugin's TestJob after polishTestJobsPathInfo). */
interface Job {
  chartDir: string;
  valuesFiles: string[];
  sets: Record<string, unknown>[];
  suiteTemplates: string[];
  excludeTemplates: string[];
  testTemplates: string[];
  releaseName?: string;
  namespace: string;
  upgrade: boolean;
  kubeVersion?: string;
  apiVersions: string[];
  chartVersion?: string;
  appVersion?: string;
  documentIndex?: number;
  documentSelector?: DocumentSelector;
  asserts: unknown[];
  skipReason?: string;
}

const SUITE_KEYS = ['suite', 'values', 'set', 'templates', 'excludeTemplates', 'release', 'capabilities', 'chart', 'tests', 'skip'];
const TEST_KEYS = ['it', 'values', 'set', 'template', 'templates', 'documentIndex', 'documentSelector', 'release', 'capabilities', 'chart', 'asserts', 'skip'];

function checkKeys(obj: Record<string, unknown>, allowed: string[], where: string): void {
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) throw new UnsupportedError(`unsupported option ${where}${k}`);
}

function optMap(v: unknown, where: string, allowed: string[]): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (!isMap(v)) throw new SuiteError(`${where} must be a mapping`);
  checkKeys(v, allowed, `${where}.`);
  return v;
}

function optString(v: unknown, where: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new SuiteError(`${where} must be a string`);
  return v;
}

function optInt(v: unknown, where: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'bigint') return Number(v);
  throw new SuiteError(`${where} must be an integer`);
}

function optBool(v: unknown, where: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new SuiteError(`${where} must be true or false`);
  return v;
}

function stringList(v: unknown, where: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new SuiteError(`${where} must be a list of strings`);
  return v;
}

/** Template paths are relative to the chart; `templates/` may be omitted (`gateway.yaml`). */
function normalizeTemplate(t: string): string {
  const p = path.posix.normalize(t.replace(/\\/g, '/')).replace(/^\.\//, '');
  return p.startsWith('templates/') || p.startsWith('charts/') ? p : `templates/${p}`;
}

function parseSelector(v: unknown, where: string): DocumentSelector | undefined {
  if (v === undefined || v === null) return undefined;
  const m = optMap(v, where, ['path', 'value', 'matchMany', 'skipEmptyTemplates']);
  const p = optString(m.path, `${where}.path`);
  if (!p) throw new SuiteError(`empty '${where}.path' not supported`);
  if (m.value === undefined || m.value === null) throw new SuiteError(`empty '${where}.value' not supported`);
  return {
    path: p,
    value: m.value,
    matchMany: optBool(m.matchMany, `${where}.matchMany`),
    skipEmptyTemplates: optBool(m.skipEmptyTemplates, `${where}.skipEmptyTemplates`),
  };
}

function resolveJob(chartDir: string, suite: Suite, t: Record<string, unknown>): Job {
  const s = suite.def;
  checkKeys(s, SUITE_KEYS, 'suite ');
  checkKeys(t, TEST_KEYS, 'test ');
  if (!Array.isArray(t.asserts) || t.asserts.length === 0) throw new SuiteError('no asserts found');
  const suiteDir = path.dirname(suite.file);

  const skip = (v: unknown, where: string): string | undefined => {
    if (v === undefined || v === null) return undefined;
    const m = optMap(v, where, ['reason']);
    return optString(m.reason, `${where}.reason`) ?? '';
  };

  const releaseKeys = ['name', 'namespace', 'revision', 'upgrade'];
  const [sRel, tRel] = [optMap(s.release, 'suite release', releaseKeys), optMap(t.release, 'release', releaseKeys)];
  for (const [rel, where] of [
    [sRel, 'suite release'],
    [tRel, 'release'],
  ] as const) {
    const rev = optInt(rel.revision, `${where}.revision`);
    // `helm template` always renders revision 1; other revisions cannot be reproduced.
    if (rev !== undefined && rev !== 1) throw new UnsupportedError(`unsupported option ${where}.revision: ${rev} (helm template always renders revision 1)`);
  }

  const capKeys = ['majorVersion', 'minorVersion', 'apiVersions'];
  const [sCap, tCap] = [optMap(s.capabilities, 'suite capabilities', capKeys), optMap(t.capabilities, 'capabilities', capKeys)];
  // The plugin only applies a Kubernetes version when both parts are given; it renders vMAJOR.MINOR.0.
  const kube = (cap: Record<string, unknown>, where: string): string | undefined => {
    const part = (field: 'majorVersion' | 'minorVersion'): string | undefined => {
      const v = cap[field];
      if (v === undefined || v === null) return undefined;
      if (typeof v === 'string' || typeof v === 'bigint') return String(v);
      throw new SuiteError(`${where}.${field} must be an integer or a string`);
    };
    const [major, minor] = [part('majorVersion'), part('minorVersion')];
    if ((major === undefined) !== (minor === undefined)) throw new SuiteError(`${where}: majorVersion and minorVersion must be set together`);
    return major === undefined ? undefined : `v${major}.${minor}.0`;
  };

  const chartKeys = ['version', 'appVersion'];
  const [sChart, tChart] = [optMap(s.chart, 'suite chart', chartKeys), optMap(t.chart, 'chart', chartKeys)];

  const sets = [s.set, t.set].map((v, i) => {
    if (v === undefined || v === null) return {};
    if (!isMap(v)) throw new SuiteError(`${i ? '' : 'suite '}set must be a mapping`);
    return v;
  });

  const testTemplates =
    t.templates !== undefined ? stringList(t.templates, 'templates') : t.template !== undefined ? [optString(t.template, 'template') ?? ''] : [];
  const index = optInt(t.documentIndex, 'documentIndex');

  return {
    chartDir,
    // Files resolve against the suite file's directory; test files override suite files (DOCUMENT.md).
    valuesFiles: [...stringList(s.values, 'suite values'), ...stringList(t.values, 'values')].map((f) => path.resolve(suiteDir, f)),
    sets,
    suiteTemplates: stringList(s.templates, 'suite templates').map(normalizeTemplate),
    excludeTemplates: stringList(s.excludeTemplates, 'suite excludeTemplates').map(normalizeTemplate),
    testTemplates: testTemplates.map(normalizeTemplate),
    releaseName: optString(tRel.name, 'release.name') ?? optString(sRel.name, 'suite release.name'),
    namespace: optString(tRel.namespace, 'release.namespace') ?? optString(sRel.namespace, 'suite release.namespace') ?? 'NAMESPACE',
    upgrade: optBool(tRel.upgrade, 'release.upgrade') || optBool(sRel.upgrade, 'suite release.upgrade'),
    kubeVersion: kube(tCap, 'capabilities') ?? kube(sCap, 'suite capabilities'),
    apiVersions: [...stringList(tCap.apiVersions, 'capabilities.apiVersions'), ...stringList(sCap.apiVersions, 'suite capabilities.apiVersions')],
    chartVersion: optString(tChart.version, 'chart.version') ?? optString(sChart.version, 'suite chart.version'),
    appVersion: optString(tChart.appVersion, 'chart.appVersion') ?? optString(sChart.appVersion, 'suite chart.appVersion'),
    documentIndex: index === -1 ? undefined : index,
    documentSelector: parseSelector(t.documentSelector, 'documentSelector'),
    asserts: t.asserts,
    skipReason: skip(s.skip, 'suite skip') ?? skip(t.skip, 'skip'),
  };
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

interface RenderError {
  /** What failedTemplate compares: the plugin's parsed message, or the whole error. */
  message: string;
  /** Chart-relative template the error was reported in, when Helm names one. */
  file?: string;
}

interface Render {
  error?: RenderError;
  /** Documents per chart-relative template path, including rendered templates with no output. */
  docs: Map<string, Manifest[]>;
}

// helm-unittest's parseV3RenderError regex, `(?mU)^(?:.+: |.+ \()(?:(.+):\d+:\d+).+(?:.+>)*: (.+)$`,
// with (?U) (all quantifiers ungreedy) spelled out for JS; both engines prefer matches identically.
const PLUGIN_RENDER_ERROR = /^(?:.+?: |.+? \()(?:(.+?):\d+?:\d+?).+?(?:.+?>)*?: (.+?)$/m;
const DEBUG_HINT = /\n\nUse --debug flag to render out invalid YAML\s*$/;

/**
 * Turns `helm template` stderr into the message helm-unittest's failedTemplate compares:
 *  - the text after `Error: ` (what the Helm library returned), without the CLI's --debug hint;
 *  - Helm 4's multi-line template errors are joined back into Helm 3's one-line form;
 *  - then the plugin's regex takes the part after `file:line:col ... : `, so `fail "msg"` and
 *    `required "msg"` yield `msg`; errors without a template location (values schema) stay whole.
 */
export function extractRenderError(stderr: string): RenderError {
  const lines = stderr.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Error: '));
  let text = start < 0 ? stderr.trim() : lines.slice(start).join('\n').slice('Error: '.length);
  text = DEBUG_HINT.test(text) ? text.replace(DEBUG_HINT, '') : text.replace(/\n$/, '');
  const tl = text.split('\n');
  if (tl.length > 1 && /^\S+:\d+:\d+$/.test(tl[0]) && /^\s+executing /.test(tl[1])) {
    // Helm 4: "file:l:c\n  executing "x" at <y>:\n    error calling z:\n..." per nesting level.
    text = tl
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => (/^\S+:\d+:\d+$/.test(l) ? `template: ${l}:` : l))
      .join(' ');
  }
  const m = PLUGIN_RENDER_ERROR.exec(text);
  if (!m) return { message: text };
  return { message: m[2], file: m[1].replace(/^[^/]+\//, '') };
}

const isPartial = (p: string): boolean => path.posix.basename(p).startsWith('_') || p.endsWith('.tpl');

/** Chart-relative paths of the template files of the chart and of its unpacked subcharts. */
function listTemplates(chartDir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string): void => {
    for (const e of fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) walk(path.join(abs, e.name), `${rel}/${e.name}`);
      else out.push(`${rel}/${e.name}`);
    }
  };
  const visitChart = (abs: string, prefix: string): void => {
    if (fs.existsSync(path.join(abs, 'templates'))) walk(path.join(abs, 'templates'), `${prefix}templates`);
    const sub = path.join(abs, 'charts');
    if (!fs.existsSync(sub)) return;
    for (const e of fs.readdirSync(sub, { withFileTypes: true })) {
      if (e.isDirectory() && fs.existsSync(path.join(sub, e.name, 'Chart.yaml'))) visitChart(path.join(sub, e.name), `${prefix}charts/${e.name}/`);
    }
  };
  visitChart(chartDir, '');
  return out;
}

const hasGlob = (p: string): boolean => /[*?]/.test(p);

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function expandTemplates(specs: string[], known: string[]): string[] {
  const out = specs.flatMap((s) => (hasGlob(s) ? known.filter((k) => globToRegExp(s).test(k)) : [s]));
  return [...new Set(out)].sort();
}

/** Splits `helm template` output at its `# Source:` headers and parses each template's documents. */
function parseRendered(stdout: string): Map<string, Manifest[]> {
  const blocks: Array<{ source: string; lines: string[] }> = [];
  const lines = stdout.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === '---' && lines[i + 1]?.startsWith('# Source: ')) {
      blocks.push({ source: lines[i + 1].slice('# Source: '.length).trim(), lines: [] });
      i++;
    } else {
      blocks[blocks.length - 1]?.lines.push(lines[i]);
    }
  }
  const docs = new Map<string, Manifest[]>();
  for (const b of blocks) {
    const template = b.source.replace(/^[^/]+\//, ''); // drop the chart name
    const list = docs.get(template) ?? [];
    docs.set(template, list);
    for (const d of parseAllDocuments(b.lines.join('\n'), YAML_OPTIONS)) {
      if (d.errors.length) throw new Error(`rendered YAML of ${template} does not parse: ${d.errors[0].message}`);
      const js: unknown = d.toJS();
      if (js === null || js === undefined) continue;
      if (!isMap(js)) throw new Error(`rendered document of ${template} is not a mapping`);
      // The plugin drops empty documents (`len(manifest) > 0`).
      if (Object.keys(js).length) list.push(js);
    }
  }
  return docs;
}

function userValues(job: Job): Record<string, unknown> {
  let base: Record<string, unknown> = {};
  for (const f of job.valuesFiles) {
    if (!fs.existsSync(f)) throw new SuiteError(`values file ${f} does not exist`);
    const v: unknown = parseYaml(fs.readFileSync(f, 'utf8'), YAML_OPTIONS);
    if (v !== null && v !== undefined && !isMap(v)) throw new SuiteError(`values file ${f} must be a mapping`);
    base = mergeValues(base, (v ?? {}) as Record<string, unknown>);
  }
  // Suite `set` first, then the test's; cloned because merging mutates and suites are reused.
  for (const set of job.sets) {
    for (const [k, v] of Object.entries(set)) base = mergeValues(base, buildSetValue(k, structuredClone(v)));
  }
  return base;
}

// helm-unittest's default release name is RELEASE-NAME, which `helm template` rejects (release names
// must be lowercase). Render with its lowercase twin (same length, so `trunc` behaves the same) and
// put the plugin's spelling back in the output.
const DEFAULT_RELEASE = 'RELEASE-NAME';
const DEFAULT_RELEASE_STANDIN = 'release-name';

/**
 * Renders the chart with `helm template`. Like the plugin, only the suite's `templates` (plus
 * partials) are rendered: the others are removed from a temporary copy of the chart, so a failure
 * in an unrelated template does not leak into the suite. The copy also carries `chart:` overrides.
 */
function render(helm: Helm, job: Job): Render {
  const all = listTemplates(job.chartDir);
  const selectable = all.filter((t) => !isPartial(t));
  let selected = job.suiteTemplates.length ? expandTemplates(job.suiteTemplates, selectable) : selectable;
  if (job.excludeTemplates.length) {
    const excluded = new Set(expandTemplates(job.excludeTemplates, selectable));
    selected = selected.filter((t) => !excluded.has(t));
  }
  const dropped = selectable.filter((t) => !selected.includes(t));

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-unittest-'));
  try {
    let dir = job.chartDir;
    if (dropped.length || job.chartVersion !== undefined || job.appVersion !== undefined) {
      dir = path.join(tmp, 'chart');
      fs.cpSync(job.chartDir, dir, { recursive: true });
      for (const t of dropped) fs.rmSync(path.join(dir, t), { force: true });
      if (job.chartVersion !== undefined || job.appVersion !== undefined) {
        const chartYaml = parseDocument(fs.readFileSync(path.join(dir, 'Chart.yaml'), 'utf8'));
        if (job.chartVersion !== undefined) chartYaml.set('version', job.chartVersion);
        if (job.appVersion !== undefined) chartYaml.set('appVersion', job.appVersion);
        fs.writeFileSync(path.join(dir, 'Chart.yaml'), String(chartYaml));
      }
    }
    const valuesFile = path.join(tmp, 'values.yaml');
    fs.writeFileSync(valuesFile, stringify(userValues(job)));

    const args = ['template', job.releaseName ?? DEFAULT_RELEASE_STANDIN, dir, '--namespace', job.namespace, '-f', valuesFile];
    if (job.kubeVersion) args.push('--kube-version', job.kubeVersion);
    for (const v of job.apiVersions) args.push('--api-versions', v);
    if (job.upgrade) args.push('--is-upgrade');
    const r = runHelm(helm, args);
    const restore = (s: string): string => (job.releaseName === undefined ? s.split(DEFAULT_RELEASE_STANDIN).join(DEFAULT_RELEASE) : s);

    if (r.code !== 0) return { error: extractRenderError(restore(r.stderr)), docs: new Map() };
    const docs = parseRendered(restore(r.stdout));
    for (const t of selected) if (!docs.has(t)) docs.set(t, []); // rendered, but empty
    return { docs };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Document selection
// ---------------------------------------------------------------------------------------------

// `helm template` sorts each release's documents by kind (releaseutil.InstallOrder) and moves hooks
// last, so within one template the plugin's document order is only recoverable when all documents
// share the same rank. documentIndex on any other template is refused rather than guessed.
const INSTALL_ORDER = [
  'PriorityClass',
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
];

function orderRank(doc: Manifest): string {
  const meta = isMap(doc.metadata) ? doc.metadata : {};
  const ann = isMap(meta.annotations) ? meta.annotations : {};
  const kind = typeof doc.kind === 'string' ? INSTALL_ORDER.indexOf(doc.kind) : -1;
  return `${hasOwn(ann, 'helm.sh/hook') ? `hook:${String(ann['helm.sh/hook-weight'] ?? 0)}` : 'manifest'}:${kind < 0 ? 'unknown' : kind}`;
}

function selectDocuments(
  targets: string[],
  docs: Map<string, Manifest[]>,
  index: number | undefined,
  selector: DocumentSelector | undefined,
  checkOrder: boolean,
): Map<string, Manifest[]> {
  const out = new Map<string, Manifest[]>();
  if (selector) {
    let total = 0;
    for (const t of targets) {
      const matches = (docs.get(t) ?? []).filter((d) => queryPath(d, selector.path).some((v) => deepEqual(selector.value, v)));
      total += matches.length;
      if (!selector.matchMany && total > 1) throw new Error(`documentSelector ${selector.path}=${show(selector.value)}: multiple indexes found`);
      if (!matches.length && !selector.skipEmptyTemplates)
        throw new Error(`documentSelector ${selector.path}=${show(selector.value)}: document not found in ${t}`);
      if (matches.length || !selector.skipEmptyTemplates) out.set(t, matches);
    }
    return out;
  }
  for (const t of targets) {
    const list = docs.get(t) ?? [];
    if (index === undefined) {
      out.set(t, list);
      continue;
    }
    if (index < 0 || index >= list.length) throw new Error(`document index ${index} is out of range for ${t} (${list.length} documents)`);
    if (checkOrder && new Set(list.map(orderRank)).size > 1) {
      throw new Error(
        `documentIndex ${index} is ambiguous for ${t}: helm template reorders its documents by kind (${list.map((d) => String(d.kind)).join(', ')}); use documentSelector`,
      );
    }
    out.set(t, [list[index]]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Assertions
// ---------------------------------------------------------------------------------------------

interface Ctx {
  /** Every document the template rendered. */
  docs: Manifest[];
  /** The documents after documentIndex/documentSelector. */
  selected: Manifest[];
  /** `not: true`, flipped again for antonyms such as notEqual. */
  negative: boolean;
}

interface Outcome {
  pass: boolean;
  messages: string[];
}

type Params = Record<string, unknown>;

interface AssertionSpec {
  params: string[];
  antonym?: boolean;
  /** Validators such as hasDocuments look at all documents unless told otherwise. */
  usesSelection?: (p: Params) => boolean;
  validate: (ctx: Ctx, p: Params) => Outcome;
}

const PASS: Outcome = { pass: true, messages: [] };
const not = (ctx: Ctx): string => (ctx.negative ? ' NOT' : '');

function expectation(pathText: string | undefined, what: string, expected: unknown, actual?: { v: unknown }): string {
  const lines = pathText === undefined ? [] : [`Path: ${pathText}`];
  lines.push(`Expected${what}:`, indent(show(expected)));
  if (actual) lines.push('Actual:', indent(show(actual.v)));
  return lines.join('\n');
}

/** The plugin's loop over selected documents: no document passes only when negated. */
function overDocs(ctx: Ctx, each: (doc: Manifest) => string[]): Outcome {
  if (!ctx.selected.length) return ctx.negative ? PASS : { pass: false, messages: ['no manifest found'] };
  const messages: string[] = [];
  for (const doc of ctx.selected) {
    const m = each(doc);
    if (m.length) messages.push(`DocumentIndex: ${ctx.docs.indexOf(doc)}`, ...m);
  }
  return { pass: messages.length === 0, messages };
}

/** Checks every value the path yields; a missing path fails unless negated (as in the plugin). */
function overValues(ctx: Ctx, p: string, check: (v: unknown) => string | undefined, missingFails = !ctx.negative): Outcome {
  return overDocs(ctx, (doc) => {
    const values = queryPath(doc, p);
    if (!values.length) return missingFails ? [`unknown path ${p}`] : [];
    return values.map(check).filter((m): m is string => m !== undefined);
  });
}

const pathParam = (p: Params): string => optString(p.path, 'path') ?? '';

function decodeBase64(s: string): string {
  // Go's base64.StdEncoding is strict; Buffer.from is not.
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new Error(`unable to decode base64 content ${s}`);
  return Buffer.from(s, 'base64').toString('utf8');
}

const isEmptyValue = (v: unknown): boolean =>
  v === null || v === undefined || v === '' || v === false || v === 0 || v === 0n || (Array.isArray(v) && !v.length) || (isMap(v) && !Object.keys(v).length);

/** validateSubset: every key of `content` equals the same key of `actual` (one level deep). */
const isSubsetOf = (actual: Record<string, unknown>, content: Record<string, unknown>): boolean =>
  Object.keys(content).every((k) => deepEqual(actual[k], content[k]));

const equalSpec: AssertionSpec = {
  params: ['path', 'value', 'decodeBase64'],
  validate: (ctx, p) => {
    const pth = pathParam(p);
    const b64 = optBool(p.decodeBase64, 'decodeBase64');
    return overValues(ctx, pth, (actual) => {
      let a = actual;
      if (typeof a === 'string') a = (b64 ? decodeBase64(a) : a).replace(/ +\r?\n/g, '\n'); // the plugin's uniformContent
      if (deepEqual(p.value, a) !== ctx.negative) return undefined;
      return expectation(pth, `${not(ctx)} to equal`, p.value, ctx.negative ? undefined : { v: a });
    });
  },
};

const existsSpec: AssertionSpec = {
  params: ['path'],
  validate: (ctx, p) => {
    const pth = pathParam(p);
    return overDocs(ctx, (doc) => (queryPath(doc, pth).length > 0 === ctx.negative ? [`Path: ${pth} expected${not(ctx)} to exist`] : []));
  },
};

const nullOrEmptySpec: AssertionSpec = {
  params: ['path'],
  validate: (ctx, p) => {
    const pth = pathParam(p);
    // Stricter than the plugin: isNotNullOrEmpty on a missing path passes there, fails here.
    return overValues(ctx, pth, (v) => (isEmptyValue(v) === ctx.negative ? expectation(pth, `${not(ctx)} to be null or empty, got`, v) : undefined), true);
  },
};

const containsSpec: AssertionSpec = {
  params: ['path', 'content', 'count', 'any'],
  validate: (ctx, p) => {
    const pth = pathParam(p);
    const count = optInt(p.count, 'count');
    const any = optBool(p.any, 'any');
    return overDocs(ctx, (doc) => {
      const values = queryPath(doc, pth);
      if (!values.length) return [`unknown path ${pth}`];
      // A wildcard path yielding strings is treated as the array itself (as the plugin does).
      const arr = typeof values[0] === 'string' ? values : values[0];
      if (!Array.isArray(arr)) return [`expect '${pth}' to be an array, got:\n${indent(show(arr))}`];
      const content = p.content;
      const found = arr.filter((e) => (any ? isMap(e) && isMap(content) && isSubsetOf(e, content) : deepEqual(e, content))).length;
      const holds = count === undefined ? found > 0 : found === count;
      if (holds !== ctx.negative) return [];
      const what = `${not(ctx)} to contain${count === undefined ? '' : ` ${count} time(s) (found ${found})`}`;
      return [expectation(pth, what, [content], { v: arr })];
    });
  },
};

const matchRegexSpec: AssertionSpec = {
  params: ['path', 'pattern', 'decodeBase64'],
  validate: (ctx, p) => {
    const pth = pathParam(p);
    const pattern = optString(p.pattern, 'pattern');
    if (!pattern) throw new SuiteError("expected field 'pattern' to be filled");
    const re = goRegex(pattern);
    const b64 = optBool(p.decodeBase64, 'decodeBase64');
    return overValues(ctx, pth, (v) => {
      if (typeof v !== 'string') return `expect '${pth}' to be a string, got:\n${indent(show(v))}`;
      const s = b64 ? decodeBase64(v) : v;
      return re.test(s) === ctx.negative ? expectation(pth, `${not(ctx)} to match`, pattern, { v: s }) : undefined;
    });
  },
};

const fieldSpec = (field: 'kind' | 'apiVersion'): AssertionSpec => ({
  params: ['of'],
  validate: (ctx, p) => {
    const of = optString(p.of, 'of');
    if (of === undefined) throw new SuiteError("expected field 'of' to be filled");
    return overDocs(ctx, (doc) => ((doc[field] === of) === ctx.negative ? [expectation(undefined, `${not(ctx)} to be ${field}`, of, { v: doc[field] })] : []));
  },
});

const subsetSpec: AssertionSpec = {
  params: ['path', 'content'],
  validate: (ctx, p) => {
    const pth = pathParam(p);
    return overValues(ctx, pth, (v) => {
      if (!isMap(v) || !isMap(p.content)) return `expect '${pth}' to be an object, got:\n${indent(show(v))}`;
      return isSubsetOf(v, p.content) === ctx.negative ? expectation(pth, `${not(ctx)} to contain`, p.content, { v }) : undefined;
    });
  },
};

const hasDocumentsSpec: AssertionSpec = {
  params: ['count', 'filterAware'],
  usesSelection: (p) => optBool(p.filterAware, 'filterAware'),
  validate: (ctx, p) => {
    const count = optInt(p.count, 'count');
    if (count === undefined) throw new SuiteError("expected field 'count' to be filled");
    const n = optBool(p.filterAware, 'filterAware') ? ctx.selected.length : ctx.docs.length;
    return (n === count) !== ctx.negative ? PASS : { pass: false, messages: [`Expected${not(ctx)} documents count to be ${count}, actual ${n}`] };
  },
};

const lengthEqualSpec: AssertionSpec = {
  params: ['path', 'paths', 'count'],
  validate: (ctx, p) => {
    const single = optString(p.path, 'path');
    const paths = p.paths === undefined ? undefined : stringList(p.paths, 'paths');
    const count = optInt(p.count, 'count');
    if (single !== undefined && count === undefined) throw new SuiteError("'count' field must be set if 'path' is used");
    if (single !== undefined && paths !== undefined) throw new SuiteError("'paths' couldn't be used with 'path'");
    if (single === undefined && !paths?.length) throw new SuiteError("'path' or 'paths' must be set");
    const problems: string[] = [];
    for (const doc of ctx.selected) {
      const lengths: Array<[string, number]> = [];
      for (const pth of single !== undefined ? [single] : (paths ?? [])) {
        const v = queryPath(doc, pth);
        if (!v.length) problems.push(`DocumentIndex: ${ctx.docs.indexOf(doc)}`, `unknown path ${pth}`);
        else lengths.push([pth, Array.isArray(v[0]) ? v[0].length : 0]); // non-arrays count as 0, as in the plugin
      }
      const want = count ?? lengths[0]?.[1];
      if (lengths.some(([, n]) => n !== want))
        problems.push(
          `DocumentIndex: ${ctx.docs.indexOf(doc)}`,
          ...lengths.map(([pth, n]) => `${pth}: ${n} item(s)${count === undefined ? '' : `, expected ${count}`}`),
        );
    }
    const holds = ctx.selected.length > 0 && problems.length === 0;
    if (holds !== ctx.negative) return PASS;
    return { pass: false, messages: ctx.negative ? ['Expected lengths NOT to match'] : ctx.selected.length ? problems : ['no manifest found'] };
  },
};

const containsDocumentSpec: AssertionSpec = {
  params: ['kind', 'apiVersion', 'name', 'namespace'],
  validate: (ctx, p) => {
    const want = {
      kind: optString(p.kind, 'kind'),
      apiVersion: optString(p.apiVersion, 'apiVersion'),
      name: optString(p.name, 'name'),
      namespace: optString(p.namespace, 'namespace'),
    };
    if (want.kind === undefined || want.apiVersion === undefined) throw new SuiteError("containsDocument needs 'kind' and 'apiVersion'");
    const found = ctx.selected.some((d) => {
      const meta = isMap(d.metadata) ? d.metadata : {};
      return (
        d.kind === want.kind &&
        d.apiVersion === want.apiVersion &&
        (want.name === undefined || meta.name === want.name) &&
        (want.namespace === undefined || meta.namespace === want.namespace)
      );
    });
    return found !== ctx.negative ? PASS : { pass: false, messages: [expectation(undefined, `${not(ctx)} to contain document`, want)] };
  },
};

const ASSERTIONS: Record<string, AssertionSpec> = {
  equal: equalSpec,
  notEqual: { ...equalSpec, antonym: true },
  exists: existsSpec,
  notExists: { ...existsSpec, antonym: true },
  // Deprecated aliases of exists/notExists in the plugin (isNull fails on a present null value).
  isNotNull: existsSpec,
  isNull: { ...existsSpec, antonym: true },
  isNullOrEmpty: nullOrEmptySpec,
  isEmpty: nullOrEmptySpec,
  isNotNullOrEmpty: { ...nullOrEmptySpec, antonym: true },
  isNotEmpty: { ...nullOrEmptySpec, antonym: true },
  contains: containsSpec,
  notContains: { ...containsSpec, antonym: true },
  matchRegex: matchRegexSpec,
  notMatchRegex: { ...matchRegexSpec, antonym: true },
  isKind: fieldSpec('kind'),
  isAPIVersion: fieldSpec('apiVersion'),
  hasDocuments: hasDocumentsSpec,
  lengthEqual: lengthEqualSpec,
  notLengthEqual: { ...lengthEqualSpec, antonym: true },
  isSubset: subsetSpec,
  isNotSubset: { ...subsetSpec, antonym: true },
  containsDocument: containsDocumentSpec,
};
const FAILED_TEMPLATE = ['failedTemplate', 'notFailedTemplate'];
const ASSERTION_OPTIONS = ['not', 'template', 'documentIndex', 'documentSelector'];

interface Assertion {
  type: string;
  params: Params;
  not: boolean;
  template?: string;
  documentIndex?: number;
  documentSelector?: DocumentSelector;
}

function parseAssertion(raw: unknown): Assertion {
  if (!isMap(raw)) throw new SuiteError('an assertion must be a mapping');
  const types = Object.keys(raw).filter((k) => !ASSERTION_OPTIONS.includes(k));
  if (!types.length) throw new SuiteError('no assertion type defined');
  if (types.length > 1) throw new SuiteError(`assertion types ${types.join(', ')} are declared in one assertion`);
  const type = types[0];
  const allowed = FAILED_TEMPLATE.includes(type) ? ['errorMessage', 'errorPattern'] : hasOwn(ASSERTIONS, type) ? ASSERTIONS[type].params : undefined;
  if (!allowed) throw new UnsupportedError(`unsupported assertion type ${type}`);
  const params = raw[type] ?? {};
  if (!isMap(params)) throw new SuiteError(`${type} must be a mapping of parameters`);
  checkKeys(params, allowed, `${type}.`);
  const template = optString(raw.template, 'template');
  const index = optInt(raw.documentIndex, 'documentIndex');
  return {
    type,
    params,
    not: optBool(raw.not, 'not'),
    template: template === undefined ? undefined : normalizeTemplate(template),
    documentIndex: index === -1 ? undefined : index,
    documentSelector: parseSelector(raw.documentSelector, 'documentSelector'),
  };
}

/** The templates an assertion looks at: its own, else the test's, else the suite's. */
function templateSpecs(a: Assertion, job: Job): string[] {
  return a.template !== undefined ? [a.template] : job.testTemplates.length ? job.testTemplates : job.suiteTemplates;
}

/**
 * failedTemplate / notFailedTemplate, evaluated per target template as the plugin does. A render
 * error "matches" when errorMessage equals the extracted message and errorPattern (Go regex) finds a
 * match in it (no parameter: any error). When Helm names a non-partial template as the origin, only
 * that template failed: a listed template that is not it "did not fail".
 */
function failedTemplate(a: Assertion, job: Job, rendered: Render, negative: boolean): Outcome {
  const errorMessage = optString(a.params.errorMessage, 'errorMessage');
  const errorPattern = optString(a.params.errorPattern, 'errorPattern');
  const re = errorPattern === undefined ? undefined : goRegex(errorPattern);
  const err = rendered.error;
  if (!err) return negative ? PASS : { pass: false, messages: ['Expected the chart to fail rendering, but it rendered successfully'] };

  const matches = (errorMessage === undefined || err.message === errorMessage) && (re === undefined || re.test(err.message));
  const culprit = err.file && !isPartial(err.file) ? err.file : undefined;
  // A failed render has output for the culprit only, so a glob selects just that template.
  const targets = culprit ? expandTemplates(templateSpecs(a, job), [culprit]) : [];
  const messages: string[] = [];
  for (const t of targets.length ? targets : [undefined]) {
    const failedHere = t === undefined || t === culprit;
    if ((failedHere && matches) !== negative) continue;
    if (t !== undefined) messages.push(`Template: ${t}`);
    if (!failedHere) {
      messages.push(`Expected to fail, but the error came from ${culprit}:`, indent(err.message));
      continue;
    }
    const expected = [
      errorMessage !== undefined ? `errorMessage ${show(errorMessage)}` : '',
      errorPattern !== undefined ? `errorPattern ${show(errorPattern)}` : '',
    ]
      .filter(Boolean)
      .join(' and ');
    messages.push(`Expected${negative ? ' NOT' : ''} to fail${expected ? ` with ${expected}` : ''}`, 'Actual error message:', indent(err.message));
  }
  return { pass: messages.length === 0, messages };
}

function runAssertion(raw: unknown, job: Job, rendered: Render): { label: string; outcome: Outcome } {
  const typeKey = isMap(raw) ? Object.keys(raw).find((k) => !ASSERTION_OPTIONS.includes(k)) : undefined;
  let label = typeKey === undefined ? 'assertion' : `\`${typeKey}\``;
  try {
    const a = parseAssertion(raw);
    label = `\`${a.type}\`${a.not ? ' (not: true)' : ''}`;
    if (FAILED_TEMPLATE.includes(a.type)) return { label, outcome: failedTemplate(a, job, rendered, a.not !== (a.type === 'notFailedTemplate')) };
    const spec = ASSERTIONS[a.type];
    if (rendered.error) return { label, outcome: { pass: false, messages: ['helm template failed:', indent(rendered.error.message)] } };

    const targets = expandTemplates(templateSpecs(a, job), [...rendered.docs.keys()]);
    if (!targets.length) throw new SuiteError('assertion.template must be given if testsuite.templates is empty');
    const missing = targets.filter((t) => !rendered.docs.has(t));
    if (missing.length) return { label, outcome: { pass: false, messages: missing.map((t) => `template "${t}" not exists or not selected in test suite`) } };

    // The assertion's own documentIndex/documentSelector win over the test's.
    const own = a.documentIndex !== undefined || a.documentSelector !== undefined;
    const selector = own ? a.documentSelector : job.documentSelector;
    const index = selector ? undefined : own ? a.documentIndex : job.documentIndex;
    const usesSelection = spec.usesSelection?.(a.params) ?? true;
    const selection = selectDocuments(targets, rendered.docs, index, selector, usesSelection);
    if (!selection.size) return { label, outcome: PASS }; // skipEmptyTemplates skipped every template

    const negative = a.not !== Boolean(spec.antonym);
    const messages: string[] = [];
    for (const [t, selected] of [...selection].sort(([x], [y]) => x.localeCompare(y))) {
      const outcome = spec.validate({ docs: rendered.docs.get(t) ?? [], selected, negative }, a.params);
      if (!outcome.pass) messages.push(`Template: ${t}`, ...outcome.messages);
    }
    return { label, outcome: { pass: messages.length === 0, messages } };
  } catch (e) {
    return { label, outcome: { pass: false, messages: [errorText(e)] } };
  }
}

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

/** Runs one test of a suite: renders the chart with the test's settings, then checks every assertion. */
export function runTest(helm: Helm, chartDir: string, suite: Suite, index: number): TestResult {
  const test = suite.tests[index];
  const result = (passed: boolean, failures: string[], skipped = false): TestResult => ({ suite: suite.name, test: test.name, passed, skipped, failures });
  try {
    if (test.error) throw new SuiteError(test.error);
    const job = resolveJob(path.resolve(chartDir), suite, test.def);
    if (job.skipReason !== undefined) return result(true, [], true);
    const rendered = render(helm, job);
    const failures = job.asserts.flatMap((raw, i) => {
      const { label, outcome } = runAssertion(raw, job, rendered);
      return outcome.pass ? [] : [`asserts[${i}] ${label} fail\n${indent(outcome.messages.join('\n'))}`];
    });
    return result(failures.length === 0, failures);
  } catch (e) {
    return result(false, [errorText(e)]);
  }
}

/** The `skip.reason` of a test or its suite when it is skipped; undefined otherwise (or if invalid). */
export function skipReason(suite: Suite, index: number): string | undefined {
  const test = suite.tests[index];
  if (suite.loadError || !test || test.error) return undefined;
  try {
    return resolveJob(path.dirname(suite.file), suite, test.def).skipReason;
  } catch {
    return undefined; // runTest reports the problem
  }
}

/** Runs every test of a suite; a suite that cannot be loaded yields one failed result. */
export function runSuite(helm: Helm, chartDir: string, suite: Suite): TestResult[] {
  if (suite.loadError) return [{ suite: suite.name, test: '(suite)', passed: false, skipped: false, failures: [suite.loadError] }];
  return suite.tests.map((_, i) => runTest(helm, chartDir, suite, i));
}
