// Packaging, as `make package` does it: `helm package` of every chart and a repository index. A
// package holds no test files, and installing it renders what the chart folder renders.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { HELMS, ROOT, helmTemplate, runHelm } from './harness/helm';
import { chartNames } from './harness/scenarios';

const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'package-'));
afterAll(() => fs.rmSync(dist, { recursive: true, force: true }));

describe.each(chartNames())('%s', (chart) => {
  const dir = path.join(ROOT, 'charts', chart);
  const version = parse(fs.readFileSync(path.join(dir, 'Chart.yaml'), 'utf8')).version;
  const tgz = path.join(dist, `${chart}-${version}.tgz`);

  beforeAll(() => {
    const r = runHelm(HELMS[0], ['package', dir, '-d', dist]);
    if (r.code !== 0) throw new Error(r.stderr);
  });

  test('the package holds the chart without its test suites', () => {
    const list = spawnSync('tar', ['-tzf', tgz], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    expect(list).toEqual(
      expect.arrayContaining([`${chart}/Chart.yaml`, `${chart}/values.schema.json`, `${chart}/templates/NOTES.txt`, `${chart}/CHANGELOG.md`]),
    );
    expect(list.filter((f) => f.startsWith(`${chart}/tests/`))).toEqual([]);
  });

  test.each(HELMS)('installing the package renders what the folder renders ($name)', (helm) => {
    const [fromTgz, fromDir] = [helmTemplate(helm, tgz), helmTemplate(helm, dir)];
    expect(fromTgz.code).toBe(0);
    expect(fromTgz.stdout).toBe(fromDir.stdout);
  });
});

test('the repository index lists every chart at its version', () => {
  for (const chart of chartNames()) runHelm(HELMS[0], ['package', path.join(ROOT, 'charts', chart), '-d', dist]);
  expect(runHelm(HELMS[0], ['repo', 'index', dist]).code).toBe(0);
  const index = parse(fs.readFileSync(path.join(dist, 'index.yaml'), 'utf8'));
  expect(Object.keys(index.entries).sort()).toEqual(chartNames());
});
