// Validates an OpenTelemetry Collector config (an OpenTelemetryCollector's spec.config, or the
// config a ConfigMap carries) against the otelcol-contrib 0.159.0 distribution.
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { REFERENCE_DIR } from './shared';

export const OTELCOL_REF_DIR = path.join(REFERENCE_DIR, 'otelcol-0.159.0');

export type ComponentKind = 'receiver' | 'processor' | 'exporter' | 'connector' | 'extension';
const KINDS: ComponentKind[] = ['receiver', 'processor', 'exporter', 'connector', 'extension'];
const SECTION: Record<ComponentKind, string> = { receiver: 'receivers', processor: 'processors', exporter: 'exporters', connector: 'connectors', extension: 'extensions' };

export interface CollectorValidation {
  errors: string[];
  /** Legal but suspicious: unused components, accepted deprecated aliases, the profiles gate. */
  warnings: string[];
}

export interface CollectorValidationOptions {
  /** Accept deprecated type aliases (`otlp` exporter, `filelog`, ...) as warnings, e.g. for users' legacy configs. */
  allowDeprecatedAliases?: boolean;
}

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------
// Reference data: component-types.md (canonical names and aliases) and the contrib manifest.

export interface ComponentType {
  kind: ComponentKind;
  type: string;
  alias?: string;
  /** The table's own "in contrib 0.159.0" column, used only to cross-check the manifest lookup. */
  inContrib: boolean;
}

/** Rows of the table in component-types.md; cells like "none" or "**unconfirmed**" mean no alias. */
export function loadComponentTypes(file = path.join(OTELCOL_REF_DIR, 'component-types.md')): ComponentType[] {
  const rows: ComponentType[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    // "| kind | canonical | alias | ..." → cells[0] is the empty text before the first pipe.
    const kind = cells[1] as ComponentKind;
    if (cells.length < 4 || !KINDS.includes(kind)) continue;
    const type = /^`([^`]+)`/.exec(cells[2])?.[1];
    const alias = /^`([^`]+)`/.exec(cells[3])?.[1];
    if (type) rows.push({ kind, type, ...(alias ? { alias } : {}), inContrib: /^yes\b/.test(cells[4] ?? '') });
  }
  if (rows.length === 0) throw new Error(`no component table found in ${file}`);
  return rows;
}

/** The last path element of every component module in the manifest, per kind. */
export function loadManifestModules(file = path.join(OTELCOL_REF_DIR, 'otelcol-contrib-manifest.yaml')): Map<ComponentKind, Set<string>> {
  const manifest = parse(fs.readFileSync(file, 'utf8'));
  const out = new Map<ComponentKind, Set<string>>();
  for (const kind of KINDS) {
    const entries: unknown[] = manifest?.[SECTION[kind]] ?? [];
    // "gomod: <module path> <version>"; the module path names the component.
    const names = entries.map((e) => (isObj(e) && typeof e.gomod === 'string' ? e.gomod.split(/\s+/)[0].split('/').pop() : undefined));
    out.set(kind, new Set(names.filter((n): n is string => !!n)));
  }
  return out;
}

/**
 * A type's module is, after dropping underscores and lowercasing, `<type><kind>`
 * (`load_balancing` exporter → loadbalancingexporter) or just `<type>` for modules that live in a
 * sub-folder or carry no suffix (`file_storage` → extension/storage/filestorage,
 * `k8s_observer` → extension/observer/k8sobserver, `receiver_creator` → receivercreator).
 * These types are named differently from their module:
 */
const MODULE_EXCEPTIONS: Partial<Record<ComponentKind, Record<string, string>>> = {
  exporter: { otlp_grpc: 'otlpexporter' },
  extension: { oauth2client: 'oauth2clientauthextension', oidc: 'oidcauthextension', asapclient: 'asapauthextension' },
  receiver: { prometheus_simple: 'simpleprometheusreceiver' },
};

export function moduleCandidates(kind: ComponentKind, type: string): string[] {
  const exception = MODULE_EXCEPTIONS[kind]?.[type];
  if (exception) return [exception];
  const base = type.replace(/_/g, '').toLowerCase();
  return [`${base}${kind}`, base];
}

/** The manifest module (last path element) implementing a canonical type, if the distribution has it. */
export function contribModule(kind: ComponentKind, type: string): string | undefined {
  return moduleCandidates(kind, type).find((m) => ref().modules.get(kind)!.has(m));
}

interface Reference {
  modules: Map<ComponentKind, Set<string>>;
  /** kind → alias → canonical type */
  aliases: Map<ComponentKind, Map<string, string>>;
}

let reference: Reference | undefined;
function ref(): Reference {
  if (!reference) {
    const aliases = new Map(KINDS.map((k) => [k, new Map<string, string>()]));
    for (const t of loadComponentTypes()) if (t.alias) aliases.get(t.kind)!.set(t.alias, t.type);
    reference = { modules: loadManifestModules(), aliases };
  }
  return reference;
}

// ---------------------------------------------------------------------------------------------
// The config check.

const TYPE_RE = /^[a-zA-Z][0-9a-zA-Z_]{0,62}$/;
const PIPELINE_ID = /^(traces|metrics|logs|profiles)(\/.+)?$/;
const TOP_LEVEL = new Set(['receivers', 'processors', 'exporters', 'connectors', 'extensions', 'service']);
const SERVICE_KEYS = new Set(['extensions', 'pipelines', 'telemetry']);
const PIPELINE_KEYS = ['receivers', 'processors', 'exporters'] as const;

const typeOf = (id: string): string => id.split('/')[0];

export function validateCollectorConfig(config: unknown, opts: CollectorValidationOptions = {}): CollectorValidation {
  const errors: string[] = [];
  const warnings: string[] = [];
  if (!isObj(config)) return { errors: ['config is not a map'], warnings };

  for (const key of Object.keys(config)) if (!TOP_LEVEL.has(key)) errors.push(`unknown top-level key "${key}"`);
  for (const section of ['receivers', 'exporters']) if (!isObj(config[section]) || Object.keys(config[section]).length === 0) errors.push(`${section} is missing or empty`);

  // Defined components, by kind.
  const defined = new Map<ComponentKind, Set<string>>();
  for (const kind of KINDS) {
    const section = config[SECTION[kind]];
    if (section !== undefined && section !== null && !isObj(section)) errors.push(`${SECTION[kind]} is not a map`);
    const ids = isObj(section) ? Object.keys(section) : [];
    defined.set(kind, new Set(ids));
    for (const id of ids) {
      if (section[id] !== null && !isObj(section[id])) errors.push(`${SECTION[kind]}.${id}: component config must be a map`);
      checkType(kind, id, opts, errors, warnings);
    }
  }
  const has = (kind: ComponentKind, id: string) => defined.get(kind)!.has(id);
  for (const id of defined.get('connector')!)
    for (const other of ['receiver', 'exporter'] as const)
      if (has(other, id)) errors.push(`connectors.${id}: ambiguous ID, also defined as ${other}`);

  const service = config.service;
  if (!isObj(service)) return { errors: [...errors, 'service is missing'], warnings };
  for (const key of Object.keys(service)) if (!SERVICE_KEYS.has(key)) errors.push(`service: unknown key "${key}"`);

  // service.extensions
  const usedExtensions = new Set<string>();
  if (service.extensions !== undefined) {
    for (const id of stringList(service.extensions, 'service.extensions', errors)) {
      if (!has('extension', id)) errors.push(`service.extensions references undefined extension "${id}"`);
      usedExtensions.add(id);
    }
  }

  // Pipelines.
  const pipelines = service.pipelines;
  if (!isObj(pipelines) || Object.keys(pipelines).length === 0) errors.push('service.pipelines is missing or empty');
  const used = { receiver: new Set<string>(), processor: new Set<string>(), exporter: new Set<string>() };
  const connectorAsExporter = new Set<string>();
  const connectorAsReceiver = new Set<string>();
  const memoryLimiterDefined = [...defined.get('processor')!].some((id) => typeOf(id) === 'memory_limiter');

  for (const [name, p] of Object.entries(isObj(pipelines) ? pipelines : {})) {
    const where = `service.pipelines.${name}`;
    if (!PIPELINE_ID.test(name)) errors.push(`${where}: pipeline ID must be traces, metrics, logs or profiles, optionally with /<name>`);
    if (name.startsWith('profiles'))
      warnings.push(`${where}: profiles pipelines need the collector flag --feature-gates=service.profilesSupport`);
    if (!isObj(p)) {
      errors.push(`${where} is not a map`);
      continue;
    }
    for (const key of Object.keys(p)) if (!(PIPELINE_KEYS as readonly string[]).includes(key)) errors.push(`${where}: unknown key "${key}"`);
    const receivers = stringList(p.receivers ?? [], `${where}.receivers`, errors);
    const processors = stringList(p.processors ?? [], `${where}.processors`, errors);
    const exporters = stringList(p.exporters ?? [], `${where}.exporters`, errors);
    if (receivers.length === 0) errors.push(`${where}: needs at least one receiver`);
    if (exporters.length === 0) errors.push(`${where}: needs at least one exporter`);

    for (const id of receivers) {
      if (has('connector', id)) connectorAsReceiver.add(id);
      else if (has('receiver', id)) used.receiver.add(id);
      else errors.push(`${where}.receivers references undefined receiver or connector "${id}"`);
    }
    for (const id of processors) {
      if (has('processor', id)) used.processor.add(id);
      else errors.push(`${where}.processors references undefined processor "${id}"`);
    }
    for (const id of exporters) {
      if (has('connector', id)) connectorAsExporter.add(id);
      else if (has('exporter', id)) used.exporter.add(id);
      else errors.push(`${where}.exporters references undefined exporter or connector "${id}"`);
      if (receivers.includes(id) && has('connector', id)) errors.push(`${where}: connector "${id}" is both receiver and exporter of the same pipeline (a cycle)`);
    }

    // memory_limiter must see data first to refuse it before anything buffers it. A pipeline fed
    // only by connectors gets data that already passed the limiter of an upstream pipeline.
    const limiterAt = processors.findIndex((id) => typeOf(id) === 'memory_limiter');
    const fedExternally = receivers.some((id) => !has('connector', id));
    if (limiterAt > 0) errors.push(`${where}: memory_limiter must be the first processor, found at position ${limiterAt + 1}`);
    else if (limiterAt < 0 && memoryLimiterDefined && fedExternally) errors.push(`${where}: memory_limiter is defined but is not the first processor of this pipeline`);
  }

  for (const id of defined.get('connector')!) {
    const asExp = connectorAsExporter.has(id);
    const asRec = connectorAsReceiver.has(id);
    if (!asExp && !asRec) warnings.push(`connectors.${id} is defined but not used`);
    else if (!asRec) errors.push(`connectors.${id} is used as an exporter but no pipeline receives from it`);
    else if (!asExp) errors.push(`connectors.${id} is used as a receiver but no pipeline exports to it`);
  }
  for (const kind of ['receiver', 'processor', 'exporter'] as const)
    for (const id of defined.get(kind)!) if (!used[kind].has(id)) warnings.push(`${SECTION[kind]}.${id} is defined but not used in any pipeline`);
  for (const id of defined.get('extension')!) if (!usedExtensions.has(id)) warnings.push(`extensions.${id} is defined but not in service.extensions`);

  return { errors, warnings };
}

/** Checks a component ID's type: syntax, deprecated alias, and presence in the contrib manifest. */
function checkType(kind: ComponentKind, id: string, opts: CollectorValidationOptions, errors: string[], warnings: string[]): void {
  const type = typeOf(id);
  if (!TYPE_RE.test(type) || (id.includes('/') && id.slice(type.length + 1) === '')) {
    errors.push(`${SECTION[kind]}.${id}: invalid component ID`);
    return;
  }
  const canonical = ref().aliases.get(kind)!.get(type);
  if (canonical) {
    const msg = `${SECTION[kind]}.${id}: ${kind} type "${type}" is a deprecated alias; use "${canonical}"`;
    if (opts.allowDeprecatedAliases) warnings.push(msg);
    else errors.push(msg);
  }
  if (!contribModule(kind, canonical ?? type))
    errors.push(`${SECTION[kind]}.${id}: ${kind} type "${type}" is not in otelcol-contrib 0.159.0 (no ${kind}/${moduleCandidates(kind, canonical ?? type)[0]} module in the manifest)`);
}

function stringList(v: unknown, where: string, errors: string[]): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    errors.push(`${where} must be a list of strings`);
    return [];
  }
  const seen = new Set<string>();
  for (const id of v) {
    if (seen.has(id)) errors.push(`${where} lists "${id}" more than once`);
    seen.add(id);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// String checks: broken templating and inline secrets.

const SECRET_KEYS = new Set(['token', 'password', 'api_key', 'apikey', 'secret', 'client_secret', 'bearer_token', 'authorization', 'x_api_key']);
// A whole value that only references a secret: ${env:NAME}, ${file:/path}, optionally after an
// auth scheme ("Bearer ${env:TOKEN}").
const SECRET_REF = /^((Bearer|Basic) )?\$\{(env:[A-Za-z_][A-Za-z0-9_]*|file:[^}]+)\}$/;

/** Reports strings that show broken templating, and secrets written inline instead of referenced. */
export function validateConfigStrings(config: unknown): string[] {
  const errors: string[] = [];
  const visit = (v: unknown, where: string, key: string | undefined): void => {
    if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${where}[${i}]`, key));
    else if (isObj(v))
      for (const [k, x] of Object.entries(v)) {
        const p = where ? `${where}.${k}` : k;
        checkTemplating(k, p, errors);
        visit(x, p, k);
      }
    else {
      if (typeof v === 'string') checkTemplating(v, where, errors);
      const isSecretKey = key !== undefined && SECRET_KEYS.has(key.toLowerCase().replace(/-/g, '_'));
      if (isSecretKey && (typeof v === 'string' || typeof v === 'number') && v !== '' && !SECRET_REF.test(String(v)))
        errors.push(`${where}: inline secret; reference it as \${env:NAME} or \${file:/path} instead`);
    }
  };
  visit(config, '', undefined);
  return errors;
}

function checkTemplating(s: string, where: string, errors: string[]): void {
  for (const bad of ['{{', '<nil>', '%!']) if (s.includes(bad)) errors.push(`${where || '<root>'}: "${s}" contains "${bad}" (broken templating)`);
}
