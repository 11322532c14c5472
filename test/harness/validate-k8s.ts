// Validates every object rendered from our charts. Nothing passes unchecked: a kind we have no
// schema for is an error, and unknown fields are errors for every kind we do know.
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { parse } from 'yaml';
/** The CRDs of the kinds the charts render, vendored (see test/reference/README.md): the Operator's, Gateway API's HTTPRoute. */
export const CRD_DIRS = ['opentelemetry-operator-0.158.0', 'gateway-api-v1.6.3'].map((d) => path.join(__dirname, '..', 'reference', d));

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates one rendered object; returns its errors (empty = valid), each prefixed with Kind/name. */
export function validateObject(obj: unknown): string[] {
  if (!isObj(obj)) return [`document is not an object: ${JSON.stringify(obj)}`];
  const apiVersion = String(obj.apiVersion ?? '');
  const kind = String(obj.kind ?? '');
  const errors = [...genericErrors(obj), ...schemaErrors(apiVersion, kind, obj)];
  const id = `${kind || '<no kind>'}/${obj.metadata?.name ?? '<no name>'}`;
  return [...new Set(errors)].map((e) => `${id}: ${e}`);
}

function schemaErrors(apiVersion: string, kind: string, obj: Obj): string[] {
  if (apiVersion === 'opentelemetry.io/v1beta1' && kind === 'OpenTelemetryCollector') return ajvErrors(crdValidator('OpenTelemetryCollector', 'v1beta1'), obj);
  if (apiVersion === 'opentelemetry.io/v1alpha1' && kind === 'Instrumentation') return ajvErrors(crdValidator('Instrumentation', 'v1alpha1'), obj);
  if (apiVersion === 'gateway.networking.k8s.io/v1' && kind === 'HTTPRoute') return httpRouteErrors(obj);
  const model = k8sModel(apiVersion, kind);
  if (model) return modelErrors(model, obj);
  return [`no schema for ${apiVersion}/${kind}`];
}

// ---------------------------------------------------------------------------------------------
// Checks that apply to every object.

function genericErrors(obj: Obj): string[] {
  const errors: string[] = [];
  const meta = obj.metadata;
  const name = meta?.name;
  if (typeof name !== 'string' || name === '') errors.push('metadata.name is missing');
  else {
    if (name.length > 253) errors.push(`metadata.name "${name}" is longer than 253 characters`);
    if (!DNS1123_SUBDOMAIN.test(name)) errors.push(`metadata.name "${name}" is not a DNS-1123 subdomain`);
    // A Service name becomes a DNS label, so it must be a DNS-1035 label.
    if (obj.apiVersion === 'v1' && obj.kind === 'Service' && !(name.length <= 63 && DNS1035_LABEL.test(name)))
      errors.push(`Service name "${name}" is not a DNS-1035 label of at most 63 characters`);
  }
  if (meta?.namespace !== undefined && !(typeof meta.namespace === 'string' && meta.namespace.length <= 63 && DNS1123_LABEL.test(meta.namespace)))
    errors.push(`metadata.namespace "${meta.namespace}" is not a DNS-1123 label`);
  for (const [where, labels] of labelMaps(obj)) errors.push(...labelErrors(where, labels));
  walk(obj, [], (p, v) => {
    if (typeof v === 'string' && (v.includes('<nil>') || v.includes('%!'))) errors.push(`${p}: "${v}" looks like a broken Go template`);
  });
  return errors;
}

/** The label maps of an object and of its pod template/selector. */
function labelMaps(obj: Obj): [string, unknown][] {
  const out: [string, unknown][] = [['metadata.labels', obj.metadata?.labels]];
  const spec = obj.spec;
  if (isObj(spec)) {
    out.push(['spec.template.metadata.labels', spec.template?.metadata?.labels]);
    out.push(['spec.selector.matchLabels', spec.selector?.matchLabels]);
    // A Service's selector is itself the label map.
    if (obj.kind === 'Service') out.push(['spec.selector', spec.selector]);
  }
  return out.filter(([, m]) => m !== undefined && m !== null);
}

function labelErrors(where: string, labels: unknown): string[] {
  if (!isObj(labels)) return [`${where} is not a map`];
  const errors: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.lastIndexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = key.slice(slash + 1);
    if (!(name.length <= 63 && QUALIFIED_NAME.test(name)) || (prefix !== undefined && !(prefix.length <= 253 && DNS1123_SUBDOMAIN.test(prefix))))
      errors.push(`${where}: invalid label key "${key}"`);
    if (typeof value !== 'string') errors.push(`${where}.${key}: label value must be a string, got ${JSON.stringify(value)}`);
    else if (value.length > 63 || !LABEL_VALUE.test(value)) errors.push(`${where}.${key}: invalid label value "${value}"`);
  }
  return errors;
}

/** Calls fn for every map key (as a value too) and every value in the tree. */
function walk(v: unknown, p: (string | number)[], fn: (path: string, v: unknown) => void): void {
  fn(fmtPath(p), v);
  if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i], fn));
  else if (isObj(v))
    for (const [k, x] of Object.entries(v)) {
      fn(fmtPath([...p, k]), k);
      walk(x, [...p, k], fn);
    }
}

// ---------------------------------------------------------------------------------------------
// Core kinds: kubernetes-models.

interface ModelClass {
  new (data: unknown): { validate(): void };
  apiVersion?: string;
  kind?: string;
}

const API_VERSION = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?v[0-9]+((alpha|beta)[0-9]+)?$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

/** kubernetes-models lays its classes out as `kubernetes-models/<apiVersion>/<Kind>`. */
function k8sModel(apiVersion: string, kind: string): ModelClass | undefined {
  if (!API_VERSION.test(apiVersion) || !KIND.test(kind)) return undefined;
  let mod: Record<string, unknown>;
  try {
    // The module path depends on the object being checked, so it can only be required at run time.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(`kubernetes-models/${apiVersion}/${kind}`);
  } catch {
    return undefined;
  }
  const cls = mod[kind] as ModelClass | undefined;
  // Sub-types (Container, PodSpec, ...) have no apiVersion/kind: they are not top-level objects.
  return typeof cls === 'function' && cls.apiVersion === apiVersion && cls.kind === kind ? cls : undefined;
}

/** The ajv errors the model's validate() throws (it is an ajv standalone function, allErrors on). */
function rawModelErrors(model: ModelClass, data: unknown): ErrorObject[] {
  try {
    new model(data).validate();
    return [];
  } catch (e) {
    const errs = (e as { errors?: ErrorObject[] }).errors;
    if (!Array.isArray(errs)) throw e;
    return errs;
  }
}

function modelErrors(model: ModelClass, obj: Obj): string[] {
  const schema = rawModelErrors(model, obj).map(fmtAjvError);
  return [...schema, ...unknownFields(model, obj)];
}

/**
 * kubernetes-models' schemas have no `additionalProperties: false`, and it ships them only as
 * pre-compiled ajv functions (`_schemas/*.js`), so there is no JSON schema to make strict.
 * Instead we ask those same functions which fields they know: set one field to NaN, which no
 * JSON-schema type accepts (not number/integer: ajv checks isFinite; not string/object/array/
 * boolean), and re-validate. A field the schema declares — a property, or a key of a typed map
 * such as labels or resources.limits — then yields an error at exactly that path; a field the
 * schema does not declare yields none and is unknown. Known fields are descended into. This uses
 * the very schema kubernetes-models validates with, so it cannot drift from it. (A field whose
 * schema accepts anything, e.g. RawExtension, would be reported; none of our kinds have one.)
 */
function unknownFields(model: ModelClass, obj: Obj): string[] {
  const data = structuredClone(obj);
  const out: string[] = [];
  const visit = (node: unknown, p: (string | number)[]): void => {
    if (Array.isArray(node)) node.forEach((x, i) => visit(x, [...p, i]));
    if (!isObj(node)) return;
    for (const key of Object.keys(node)) {
      const saved = node[key];
      const at = toPointer([...p, key]);
      node[key] = NaN;
      const known = rawModelErrors(model, data).some((e) => e.instancePath === at || e.instancePath.startsWith(`${at}/`));
      node[key] = saved;
      if (known) visit(saved, [...p, key]);
      else out.push(`${fmtPath([...p, key])}: unknown field`);
    }
  };
  visit(data, []);
  return out;
}

// ---------------------------------------------------------------------------------------------
// OpenTelemetry operator CRDs: their openAPIV3Schema, made strict, compiled with ajv.

const STRING_MAP = { type: 'object', additionalProperties: { type: 'string' } };
// CRD schemas declare metadata as a bare object; this is the minimal ObjectMeta we accept
// (the name's DNS-1123 form is checked for every object in genericErrors).
const METADATA_SCHEMA = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1 },
    namespace: { type: 'string' },
    labels: STRING_MAP,
    annotations: STRING_MAP,
    generateName: { type: 'string' },
    finalizers: { type: 'array', items: { type: 'string' } },
    ownerReferences: { type: 'array', items: { type: 'object' } },
    uid: { type: 'string' },
    resourceVersion: { type: 'string' },
    generation: { type: 'integer' },
    creationTimestamp: { type: ['string', 'null'] },
  },
};

const ajv = new Ajv({
  allErrors: true,
  // CRD schemas carry x-kubernetes-* and other OpenAPI keywords ajv does not know.
  strict: false,
  formats: {
    int32: { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 },
    int64: { type: 'number', validate: (n: number) => Number.isSafeInteger(n) },
    'date-time': /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/,
    // Go time.Duration, as the API server parses it.
    duration: /^[-+]?(\d+(\.\d*)?(ns|us|µs|ms|s|m|h))+$|^0$/,
  },
});

/**
 * Makes a Kubernetes structural schema strict and ajv-compatible:
 * - every object schema with `properties`, no `additionalProperties` and no
 *   `x-kubernetes-preserve-unknown-fields: true` gets `additionalProperties: false` (the API
 *   server would silently prune unknown fields; we want them reported);
 * - `x-kubernetes-int-or-string` becomes integer-or-string when the schema lacks the anyOf;
 * - other x-kubernetes-* keywords (list/map types, CEL validations) are ignored by ajv.
 */
export function strictify(schema: unknown): unknown {
  if (!isObj(schema)) return schema;
  const s: Obj = { ...schema };
  if (isObj(s.properties)) s.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, strictify(v)]));
  if (s.items !== undefined) s.items = Array.isArray(s.items) ? s.items.map(strictify) : strictify(s.items);
  if (isObj(s.additionalProperties)) s.additionalProperties = strictify(s.additionalProperties);
  for (const k of ['allOf', 'anyOf', 'oneOf']) if (Array.isArray(s[k])) s[k] = s[k].map(strictify);
  if (s.not !== undefined) s.not = strictify(s.not);
  if (s['x-kubernetes-int-or-string'] === true && !s.anyOf && !s.oneOf) {
    delete s.type;
    s.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (s.nullable === true && s.type === undefined) delete s.nullable; // ajv requires a type with nullable
  if (isObj(s.properties) && s.additionalProperties === undefined && s['x-kubernetes-preserve-unknown-fields'] !== true) s.additionalProperties = false;
  return s;
}

const crdCache = new Map<string, ValidateFunction>();

function crdValidator(kind: string, version: string): ValidateFunction {
  const key = `${kind}/${version}`;
  const cached = crdCache.get(key);
  if (cached) return cached;
  for (const file of CRD_DIRS.flatMap((d) =>
    fs
      .readdirSync(d)
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => path.join(d, f)),
  )) {
    const crd = parse(fs.readFileSync(file, 'utf8'));
    if (crd?.kind !== 'CustomResourceDefinition' || crd.spec?.names?.kind !== kind) continue;
    const v = (crd.spec.versions as Obj[]).find((x) => x.name === version);
    if (!v?.schema?.openAPIV3Schema) throw new Error(`${file} has no schema for ${kind} ${version}`);
    const schema = strictify(v.schema.openAPIV3Schema) as Obj;
    schema.properties.metadata = METADATA_SCHEMA;
    schema.required = [...new Set([...(schema.required ?? []), 'apiVersion', 'kind', 'metadata'])];
    const fn = ajv.compile(schema);
    crdCache.set(key, fn);
    return fn;
  }
  throw new Error(`no CRD for ${kind} in ${CRD_DIRS.join(', ')}`);
}

function ajvErrors(fn: ValidateFunction, obj: Obj): string[] {
  return fn(obj) ? [] : (fn.errors ?? []).map(fmtAjvError);
}

// ---------------------------------------------------------------------------------------------
// Gateway API HTTPRoute: its CRD's schema (vendored), and what its CEL rules say of Service backends.

function httpRouteErrors(obj: Obj): string[] {
  const errors = ajvErrors(crdValidator('HTTPRoute', 'v1'), obj);
  const rules: unknown[] = Array.isArray(obj.spec?.rules) ? obj.spec.rules : [];
  rules.forEach((rule, i) => {
    const refs: unknown[] = isObj(rule) && Array.isArray(rule.backendRefs) ? rule.backendRefs : [];
    refs.forEach((ref, j) => {
      if (!isObj(ref) || (ref.group ?? '') !== '' || (ref.kind ?? 'Service') !== 'Service') return;
      const where = `spec.rules[${i}].backendRefs[${j}]`;
      // The backend is a Service, so its name is a DNS-1035 label and a port is required.
      if (typeof ref.name === 'string' && !(ref.name.length <= 63 && DNS1035_LABEL.test(ref.name)))
        errors.push(`${where}.name: "${ref.name}" is not a DNS-1035 label`);
      if (ref.port === undefined) errors.push(`${where}.port: required for a Service backend`);
    });
  });
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Formatting.

function toPointer(p: (string | number)[]): string {
  return p.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

function fmtPath(p: (string | number)[]): string {
  return (
    p
      .map((s) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z_$][\w$-]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`))
      .join('')
      .replace(/^\./, '') || '<root>'
  );
}

function fmtAjvError(e: ErrorObject): string {
  const p = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (e.keyword === 'additionalProperties') return `${fmtPath([...p, (e.params as { additionalProperty: string }).additionalProperty])}: unknown field`;
  const extra = e.keyword === 'enum' ? ` (${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)})` : '';
  return `${fmtPath(p)}: ${e.message ?? e.keyword}${extra}`;
}
