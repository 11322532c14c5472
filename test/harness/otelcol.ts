// The real OpenTelemetry Collector (built by `make otelcol`, or OTELCOL=/path): its component list
// and its `validate` command, run on a rendered collector as its pod would start it.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { CHART_COMPONENTS, SECTIONS } from '../../generator/distribution';
import { Otelcol, Unavailable, findOtelcol } from '../../scripts/otelcol';
import { RenderedCollector } from './collectors';
import { VALIDATE_SHIMS, applyShims } from './cluster-shims';

let found: Otelcol | undefined;
export function otelcol(): Otelcol {
  found ??= findOtelcol() ?? undefined;
  if (!found) throw new Error('no collector binary: run `make otelcol` (or set OTELCOL=/path/to/otelcol)');
  return found;
}

/** The binary's components, per section (`receivers` → types), from its `components` subcommand. */
export function binaryComponents(): Map<string, Set<string>> {
  const r = spawnSync(otelcol().bin, ['components'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${otelcol().bin} components failed: ${r.stderr}`);
  const doc = parse(r.stdout);
  return new Map(Object.values(SECTIONS).map((s) => [s, new Set<string>((doc[s] ?? []).map((c: { name: string }) => c.name))]));
}

/** A component id's type: `otlp_grpc/gateway` → `otlp_grpc`. */
export const typeOf = (id: string) => id.split('/')[0];

export interface MissingComponent {
  section: string;
  id: string;
  module: string;
  why: string;
}

/** Chart components this binary lacks because the proxy refused their module when it was built. */
function missingModules(): Map<string, Unavailable> {
  return new Map(otelcol().unavailable.map((u) => [u.module, u]));
}

/**
 * Removes from a config the components whose module this build lacks (and their pipeline entries),
 * so the rest is still validated; returns what it removed.
 */
export function withoutUnavailable(config: any): { config: any; removed: MissingComponent[] } {
  const missing = missingModules();
  const copy = structuredClone(config);
  const removed: MissingComponent[] = [];
  for (const comp of CHART_COMPONENTS) {
    const u = missing.get(comp.module);
    const section = SECTIONS[comp.kind];
    if (!u) continue;
    for (const id of Object.keys(copy[section] ?? {}).filter((i) => typeOf(i) === comp.type)) {
      delete copy[section][id];
      removed.push({ section, id, module: `${u.module} ${u.version}`, why: u.error });
      for (const p of Object.values<any>(copy.service?.pipelines ?? {}))
        for (const k of ['receivers', 'processors', 'exporters']) if (p[k]) p[k] = p[k].filter((x: string) => x !== id);
    }
  }
  return { config: copy, removed };
}

export interface ValidateResult {
  ok: boolean;
  /** The collector's own output when it refuses the configuration. */
  message: string;
  /** Components left out of the check because this build lacks them. */
  notValidated: MissingComponent[];
}

/** `otelcol validate` of a rendered collector, with its pod's feature gates and environment. */
export function validate(c: RenderedCollector): ValidateResult {
  const { config, removed } = withoutUnavailable(c.config);
  const shimmed = applyShims(VALIDATE_SHIMS, { ...c, config });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otelcol-validate-'));
  try {
    const file = path.join(dir, 'config.yaml');
    fs.writeFileSync(file, stringify(shimmed.config));
    const args = ['validate', '--config', file, ...(c.featureGates.length ? [`--feature-gates=${c.featureGates.join(',')}`] : [])];
    const r = spawnSync(otelcol().bin, args, { encoding: 'utf8', env: { PATH: process.env.PATH, ...shimmed.env }, cwd: dir });
    return { ok: r.status === 0, message: `${r.stdout}${r.stderr}`.trim(), notValidated: removed };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
