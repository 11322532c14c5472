// The generator's command line: help, exit codes, a progress line per chart, drift found by check,
// and the schema a chart carries.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT } from './harness/helm';

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), path.join(ROOT, 'generator', 'cli.ts'), ...args], {
    encoding: 'utf8',
    cwd: ROOT,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'generator-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('--help lists the commands and the charts, and exits 0; no command exits 2 with the same text', () => {
  for (const args of [['--help'], ['check', '--help']]) {
    const r = cli(...args);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/generate \[chart\.\.\.\][\s\S]*check \[chart\.\.\.\][\s\S]*schema <chart>[\s\S]*Charts: ollyscale-otel, otel-gateway/);
  }
  expect(cli().code).toBe(2);
});

test('usage errors exit 2 and say what was wrong', () => {
  expect(cli('bogus')).toMatchObject({ code: 2, err: expect.stringContaining('error: unknown command bogus') });
  expect(cli('generate', 'no-such-chart')).toMatchObject({
    code: 2,
    err: expect.stringContaining('unknown chart no-such-chart (charts: ollyscale-otel, otel-gateway)'),
  });
  expect(cli('schema')).toMatchObject({ code: 2, err: expect.stringContaining('schema takes exactly one chart') });
  expect(cli('check', '--frobnicate')).toMatchObject({ code: 2, err: expect.stringContaining('unknown option --frobnicate') });
});

test('generate prints a line per chart; check passes on its output and names every file that drifted', () => {
  const g = cli('generate', '--out', tmp);
  expect(g.code).toBe(0);
  expect(g.out).toContain('generated charts/ollyscale-otel (');
  expect(g.out).toContain('generated charts/otel-gateway (');
  expect(cli('check', '--out', tmp)).toMatchObject({ code: 0, out: expect.stringContaining('otel-gateway: up to date') });
  fs.appendFileSync(path.join(tmp, 'charts', 'otel-gateway', 'values.yaml'), '# edited by hand\n');
  fs.writeFileSync(path.join(tmp, 'charts', 'otel-gateway', 'templates', 'extra.yaml'), 'kind: ConfigMap\n');
  const c = cli('check', 'otel-gateway', '--out', tmp);
  expect(c.code).toBe(1);
  expect(c.out).toContain('differs: charts/otel-gateway/values.yaml');
  expect(c.out).toContain('not generated: charts/otel-gateway/templates/extra.yaml');
});

test('schema prints the values.schema.json the chart carries', () => {
  const r = cli('schema', 'otel-gateway');
  expect(r.code).toBe(0);
  expect(r.out).toBe(fs.readFileSync(path.join(ROOT, 'charts', 'otel-gateway', 'values.schema.json'), 'utf8'));
});
