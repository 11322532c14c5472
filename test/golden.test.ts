// The committed renders of every example (examples/rendered/<chart>/<example>.yaml, `make golden`)
// are what the charts render now, so a change's effect on the manifests shows in its diff.
import * as fs from 'fs';
import * as path from 'path';
import { GOLDEN_DIR, renderScenario } from '../scripts/golden';
import { chartNames, scenarios } from './harness/scenarios';

const cases = chartNames().flatMap((chart) => scenarios(chart).map((s) => ({ id: `${chart}/${s.name}`, s })));

test.each(cases)('examples/rendered/$id.yaml is what the chart renders', ({ s }) => {
  const file = path.join(GOLDEN_DIR, s.chart, `${s.name}.yaml`);
  const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '(missing)';
  const fresh = renderScenario(s.chartDir, s.valuesFile, s.namespace);
  if (committed !== fresh)
    throw new Error(`${path.relative(path.dirname(GOLDEN_DIR), file)} differs from a fresh render: run 'make golden' and review the diff`);
});

test('no golden render is left for an example that is gone', () => {
  const expected = new Set(cases.map((c) => `${c.id}.yaml`));
  const found = chartNames().flatMap((chart) =>
    fs.existsSync(path.join(GOLDEN_DIR, chart)) ? fs.readdirSync(path.join(GOLDEN_DIR, chart)).map((f) => `${chart}/${f}`) : [],
  );
  expect(found.filter((f) => !expected.has(f))).toEqual([]);
});
