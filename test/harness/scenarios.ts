// Scenarios: rendering every chart with its defaults and with every file in examples/<chart>/.
// A file's header may carry directives: `# test: namespace=observability` (install namespace),
// `# test: allow-deprecated-aliases` (the file's own collector config uses old component names).
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './helm';

/** How collectors run (`collectorRuntime`): every scenario is rendered in both. */
export const RUNTIMES = ['operator', 'native'] as const;
export type Runtime = (typeof RUNTIMES)[number];

export interface Scenario {
  chart: string;
  chartDir: string;
  name: string;
  valuesFile?: string;
  namespace: string;
  allowDeprecatedAliases: boolean;
}

export function chartNames(): string[] {
  const dir = path.join(ROOT, 'charts');
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((d) => fs.existsSync(path.join(dir, d, 'Chart.yaml')))
        .sort()
    : [];
}

export function scenarios(chart: string): Scenario[] {
  const chartDir = path.join(ROOT, 'charts', chart);
  const out: Scenario[] = [{ chart, chartDir, name: 'defaults', namespace: 'otel-system', allowDeprecatedAliases: false }];
  const dir = path.join(ROOT, 'examples', chart);
  if (!fs.existsSync(dir)) return out;
  for (const f of fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.yaml'))
    .sort()) {
    const file = path.join(dir, f);
    const directives = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('# test:'))
      .flatMap((l) => l.slice('# test:'.length).trim().split(/\s+/));
    const ns = directives.find((d) => d.startsWith('namespace='))?.split('=')[1];
    out.push({
      chart,
      chartDir,
      name: f.replace(/\.yaml$/, ''),
      valuesFile: file,
      namespace: ns ?? 'otel-system',
      allowDeprecatedAliases: directives.includes('allow-deprecated-aliases'),
    });
  }
  return out;
}
