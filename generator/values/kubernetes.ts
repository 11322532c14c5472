// Kubernetes' own schemas for the values that are Kubernetes objects (tolerations, affinity, env,
// resources, ...), built at generation time from the npm package kubernetes-models 4.5.1, which the
// tests validate every rendered object with. Nothing is vendored. Its definitions are Kubernetes
// 1.33's (they have 1.33's Lifecycle.stopSignal, not 1.34's EnvVarSource.fileKeyRef; the package
// README's 1.27.1 badge is stale).
//
// kubernetes-models ships each OpenAPI definition in two generated forms, and no JSON schema:
// - its TypeScript declarations (`kubernetes-models/v1/Toleration.d.ts`,
//   `@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector.d.ts`): every property, whether it
//   is required, its type (string enums as unions, lists, maps, other definitions by import) and
//   its description;
// - its ajv validators (`kubernetes-models/_schemas/IoK8sApiCoreV1Toleration.js`), compiled from the
//   JSON schemas generated from the same OpenAPI: the only place that says whether a number is an
//   integer and whether it is int32 or int64.
// A definition's declaration is read with the TypeScript parser, and each number it declares is
// looked up by asking the validator about a probe value at exactly that path (the way
// test/harness/validate-k8s.ts asks it which fields it knows).
//
// The schema built is draft-07 (what Helm 3.17 validates with), with every reference inlined (no
// `$ref`: Helm resolves remote ones by fetching them, and fragment-only `$id`s fail its metaschema
// check), `additionalProperties: false` on every object of fixed fields (a typo fails naming its
// key, instead of reaching the API server), maps as `additionalProperties` of their value
// type, int32 as `minimum`/`maximum`, int-or-string as both types, and each property's description
// cut to its first sentence (the values' own keys keep the chart's descriptions).
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { JsonSchema, v } from './model';

interface ValidatorError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
}
type Validator = ((data: unknown) => boolean) & { errors?: ValidatorError[] | null };

/** One OpenAPI definition as kubernetes-models ships it. */
interface Definition {
  /** `IoK8sApiCoreV1Toleration` */
  id: string;
  file: string;
  members: ts.PropertySignature[];
  /** Imported identifier -> declaration file. */
  imports: Map<string, string>;
  validate: Validator;
}

/** A value built to probe one path of a definition: the object to validate and the path's JSON pointer. */
type Probe = (x: unknown) => [unknown, string];

export interface KubernetesSchemaOptions {
  /** Top-level properties left out (e.g. `claims` of ResourceRequirements). */
  omit?: string[];
  /** Only these top-level properties. */
  only?: string[];
}

/** Longest property description kept (the first sentence, cut at a word). */
const MAX_DESCRIPTION = 100;

const INT32 = { minimum: -(2 ** 31), maximum: 2 ** 31 - 1 };
/** int64, as far as a JSON number tells (1e21 is refused; the edge itself is not exact). */
const INT64 = { minimum: -(2 ** 63), maximum: 2 ** 63 };

/**
 * Definitions that are not objects, as the OpenAPI declares them: a Quantity is a string in the
 * quantity format (the chart's quantity schema: the same format as a pattern, or a whole number),
 * an IntOrString either (`x-kubernetes-int-or-string`).
 */
const SCALARS: Record<string, () => JsonSchema> = {
  IoK8sApimachineryPkgApiResourceQuantity: () => {
    const { description: _description, ...quantity } = v.quantity({ description: '' }).schema();
    return quantity;
  },
  IoK8sApimachineryPkgUtilIntstrIntOrString: () => ({ type: ['integer', 'string'] }),
};

/** `io.k8s.api.core.v1.Toleration` -> `IoK8sApiCoreV1Toleration` (kubernetes-models' identifier). */
const idOf = (definition: string) =>
  definition
    .split('.')
    .map((s) => s.charAt(0).toUpperCase() + s.slice(1))
    .join('');

/** Where a definition's declaration file is: core and named API groups, and apimachinery's meta/v1. */
function declarationFile(definition: string): string {
  const m = /^io\.k8s\.(api|apimachinery\.pkg\.apis)\.([a-z0-9.]+)\.(v[0-9a-z]+)\.([A-Za-z0-9]+)$/.exec(definition);
  if (!m) throw new Error(`kubernetes.ts: not a Kubernetes definition name: ${definition}`);
  const [, api, group, version, kind] = m;
  const candidates =
    api === 'api'
      ? [
          group === 'core' ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`,
          `kubernetes-models/${group}.k8s.io/${version}/${kind}`,
        ]
      : [`@kubernetes-models/apimachinery/apis/${group}/${version}/${kind}`];
  for (const c of candidates) {
    const file = resolveDeclaration(c);
    if (file) return file;
  }
  throw new Error(`kubernetes.ts: kubernetes-models has no declaration of ${definition} (looked for ${candidates.join(', ')})`);
}

/** A module specifier (`kubernetes-models/v1/Toleration`, or relative to `from`) -> its `.d.ts`, if any. */
function resolveDeclaration(spec: string, from?: string): string | undefined {
  let js: string;
  try {
    js = spec.startsWith('.') && from ? path.resolve(path.dirname(from), `${spec}.js`) : require.resolve(spec);
  } catch {
    return undefined;
  }
  const dts = js.replace(/\.js$/, '.d.ts');
  return fs.existsSync(dts) ? dts : undefined;
}

/** The package directory holding `file` (its nearest package.json). */
function packageDir(file: string): string {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
  throw new Error(`kubernetes.ts: no package.json above ${file}`);
}

const definitions = new Map<string, Definition>();

/** Parses a declaration file: the interface it exports as `I<id>`, its imports, and the definition's validator. */
function load(file: string, id: string): Definition {
  const cached = definitions.get(id);
  if (cached) return cached;
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const imports = new Map<string, string>();
  let local: string | undefined;
  for (const st of source.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      const target = resolveDeclaration(st.moduleSpecifier.text, file);
      const named = st.importClause?.namedBindings;
      if (target && named && ts.isNamedImports(named)) for (const el of named.elements) imports.set(el.name.text, target);
    }
    if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause))
      for (const el of st.exportClause.elements) if (el.name.text === `I${id}`) local = (el.propertyName ?? el.name).text;
  }
  const iface = source.statements.find((st): st is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(st) && st.name.text === local);
  if (!iface) throw new Error(`kubernetes.ts: ${file} declares no interface exported as I${id}`);
  const members = iface.members.filter(ts.isPropertySignature);
  if (members.length !== iface.members.length) throw new Error(`kubernetes.ts: ${id} has members that are not properties`);
  const validatorFile = path.join(packageDir(file), '_schemas', `${id}.js`);
  // The validator's module is named by the definition, so it can only be required at run time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const validate = (require(validatorFile) as { validate: Validator }).validate;
  const def: Definition = { id, file, members, imports, validate };
  definitions.set(id, def);
  return def;
}

const nameOf = (m: ts.PropertySignature) => (ts.isStringLiteral(m.name) || ts.isIdentifier(m.name) ? m.name.text : m.name.getText());

/** The first sentence of a property's description, at most MAX_DESCRIPTION characters. */
function shortDescription(m: ts.PropertySignature, where: string): string {
  const doc = ts
    .getJSDocCommentsAndTags(m)
    .map((d) => (ts.isJSDoc(d) ? (ts.getTextOfJSDocComment(d.comment) ?? '') : ''))
    .join('\n');
  const paragraph = doc
    .split(/\n\s*\n/)[0]
    .replace(/\s+/g, ' ')
    .trim();
  if (!paragraph) throw new Error(`kubernetes.ts: ${where} has no description`);
  // A first sentence of one word ("Required.") goes with the next.
  const sentence = /^(\w+[.]\s+)?.*?[.](?=\s+[A-Z`"]|$)/.exec(paragraph)?.[0] ?? paragraph;
  if (sentence.length <= MAX_DESCRIPTION) return sentence;
  return `${sentence
    .slice(0, MAX_DESCRIPTION - 3)
    .replace(/\s+\S*$/, '')
    .replace(/[\s,.;:]+$/, '')}...`;
}

/** Converts the declared type of a property (or a part of it) to a schema. */
function typeSchema(node: ts.TypeNode, def: Definition, where: string, probe: Probe, stack: string[]): JsonSchema {
  if (node.kind === ts.SyntaxKind.StringKeyword) {
    if (errorsAt(def, probe, 'any string').length) throw new Error(`kubernetes.ts: ${where}: a string with a format or pattern is not supported`);
    return { type: 'string' };
  }
  if (node.kind === ts.SyntaxKind.BooleanKeyword) return { type: 'boolean' };
  if (node.kind === ts.SyntaxKind.NumberKeyword) return numberSchema(def, where, probe);
  if (ts.isUnionTypeNode(node) && node.types.every((t) => ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal)))
    return { type: 'string', enum: node.types.map((t) => ((t as ts.LiteralTypeNode).literal as ts.StringLiteral).text) };
  if (ts.isArrayTypeNode(node)) return arraySchema(node.elementType, def, where, probe, stack);
  if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
    const name = node.typeName.text;
    if (name === 'Array' && node.typeArguments?.length === 1) return arraySchema(node.typeArguments[0], def, where, probe, stack);
    const file = def.imports.get(name);
    if (file && name.startsWith('IIoK8s')) return definitionSchema(name.slice(1), file, stack, {});
  }
  if (ts.isTypeLiteralNode(node) && node.members.length === 1 && ts.isIndexSignatureDeclaration(node.members[0])) {
    const value = within(probe, (x) => ({ key: x }), 'key');
    return { type: 'object', additionalProperties: typeSchema(node.members[0].type, def, `${where}.*`, value, stack) };
  }
  throw new Error(`kubernetes.ts: ${where}: unsupported declared type \`${node.getText()}\``);
}

function arraySchema(item: ts.TypeNode, def: Definition, where: string, probe: Probe, stack: string[]): JsonSchema {
  const first = within(probe, (x) => [x], '0');
  return { type: 'array', items: typeSchema(item, def, `${where}[]`, first, stack) };
}

/** The probe one level down: the value wrapped (in a list, a map) and the pointer extended. */
const within =
  (probe: Probe, wrap: (x: unknown) => unknown, step: string): Probe =>
  (x) => {
    const [data, at] = probe(wrap(x));
    return [data, `${at}/${step}`];
  };

/** The validator's errors at exactly the probed path. */
function errorsAt(def: Definition, probe: Probe, x: unknown): ValidatorError[] {
  const [data, at] = probe(x);
  def.validate(data);
  return (def.validate.errors ?? []).filter((e) => e.instancePath === at);
}

/** A declared `number`: integer or not, int32 or wider, as the definition's validator says. */
function numberSchema(def: Definition, where: string, probe: Probe): JsonSchema {
  if (errorsAt(def, probe, 1).length) throw new Error(`kubernetes.ts: ${where}: the validator refuses a number where a number is declared`);
  const integer = errorsAt(def, probe, 0.5).some((e) => e.keyword === 'type' && e.params.type === 'integer');
  if (!integer) return { type: 'number' };
  const int32 = errorsAt(def, probe, 2 ** 31).some((e) => e.keyword === 'format' && e.params.format === 'int32');
  return { type: 'integer', ...(int32 ? INT32 : INT64) };
}

/** A definition's schema, every reference inlined. */
function definitionSchema(id: string, file: string, stack: string[], o: KubernetesSchemaOptions): JsonSchema {
  const scalar = SCALARS[id];
  if (scalar) return scalar();
  if (stack.includes(id)) throw new Error(`kubernetes.ts: ${[...stack, id].join(' -> ')} is recursive and cannot be inlined`);
  const def = load(file, id);
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const m of def.members) {
    const name = nameOf(m);
    if (o.omit?.includes(name) || (o.only && !o.only.includes(name))) continue;
    if (!m.type) throw new Error(`kubernetes.ts: ${id}.${name} has no declared type`);
    const where = `${id}.${name}`;
    const probe: Probe = (x) => [{ [name]: x }, `/${name}`];
    const { type, ...rest } = typeSchema(m.type, def, where, probe, [...stack, id]);
    properties[name] = { ...(type !== undefined && { type }), description: shortDescription(m, where), ...rest };
    if (!m.questionToken) required.push(name);
  }
  for (const k of [...(o.omit ?? []), ...(o.only ?? [])])
    if (!def.members.some((m) => nameOf(m) === k)) throw new Error(`kubernetes.ts: ${id} has no property ${k}`);
  return { type: 'object', additionalProperties: false, properties, ...(required.length && { required }) };
}

/**
 * The draft-07 schema of a Kubernetes definition (`io.k8s.api.core.v1.Toleration`), every
 * reference inlined; a fresh copy on each call.
 */
export function kubernetesSchema(definition: string, o: KubernetesSchemaOptions = {}): JsonSchema {
  return definitionSchema(idOf(definition), declarationFile(definition), [], o);
}

/** The schema of one property of a definition (`io.k8s.api.core.v1.PodSpec`, `tolerations`), with its description. */
export function kubernetesProperty(definition: string, property: string): JsonSchema {
  return (kubernetesSchema(definition, { only: [property] }).properties as Record<string, JsonSchema>)[property];
}
