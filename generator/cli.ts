// The generator's command line (`npm run generate -- <command>`, `make charts`, `make check`).
//   generate [chart...]  writes charts/<chart>/ and schemas/<chart>/<version>/ (every chart by default)
//   check [chart...]     fails when charts/ or schemas/ differ from what generate would write
//   schema <chart>       prints the chart's values.schema.json
// Exit codes: 0 done, 1 a check failed or generation failed, 2 a usage error.
import * as fs from 'fs';
import * as path from 'path';
import { ChartDefinition, ROOT, generateChart, writeChart } from './emitter/chart-writer';
import { CHARTS } from './charts';
import { examplesIndex } from './docs';

const USAGE = `Usage: generator <command> [chart...]

Commands:
  generate [chart...]  write charts/<chart>/ and schemas/<chart>/<version>/values.schema.json
                       (every chart when none is named); a second run changes no byte
  check [chart...]     exit 1, listing the files, when charts/ or schemas/ differ from what
                       generate would write
  schema <chart>       print the chart's values.schema.json to standard output

Options:
  --out <dir>          where charts/ and schemas/ are (default: the repository)
  -h, --help           this text (also: <command> --help)

Charts: ${CHARTS.map((c) => c.name).join(', ')}`;

class UsageError extends Error {}

function select(names: string[]): ChartDefinition[] {
  const unknown = names.filter((n) => !CHARTS.some((c) => c.name === n));
  if (unknown.length) throw new UsageError(`unknown chart ${unknown.join(', ')} (charts: ${CHARTS.map((c) => c.name).join(', ')})`);
  return names.length ? CHARTS.filter((c) => names.includes(c.name)) : CHARTS;
}

/**
 * The first line of each example of a chart: the schema comment editors (yaml-language-server) read,
 * pointing at the chart's current versioned schema.
 */
function pointExamplesAtSchema(def: ChartDefinition, out: string): void {
  const dir = path.join(out, 'examples', def.name);
  if (!fs.existsSync(dir)) return;
  const line = `# yaml-language-server: $schema=../../schemas/${def.name}/${def.version}/values.schema.json`;
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.yaml'))) {
    const file = path.join(dir, f);
    const text = fs.readFileSync(file, 'utf8');
    const next = `${line}\n${text.replace(/^# yaml-language-server: .*\n/, '')}`;
    if (next !== text) fs.writeFileSync(file, next);
  }
}

function generate(charts: ChartDefinition[], out: string): void {
  const started = Date.now();
  for (const def of charts) {
    writeChart(def, out);
    pointExamplesAtSchema(def, out);
    console.log(`generated charts/${def.name} (${def.version}) and schemas/${def.name}/${def.version}/values.schema.json`);
  }
  if (out === ROOT) fs.writeFileSync(path.join(ROOT, 'examples', 'README.md'), examplesIndex(CHARTS));
  console.log(`generated ${charts.length} chart(s) in ${Date.now() - started} ms`);
}

/** Files of a folder, relative to it. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .flatMap((e) => (e.isFile() ? [path.relative(dir, path.join(e.parentPath, e.name))] : []));
}

/** What differs between a chart as generate would write it and the files on disk. */
function drift(def: ChartDefinition, out: string): string[] {
  const { files, schema } = generateChart(def);
  const dir = path.join(out, 'charts', def.name);
  const found: string[] = [];
  for (const [rel, text] of files) {
    const file = path.join(dir, rel);
    if (!fs.existsSync(file)) found.push(`missing: charts/${def.name}/${rel}`);
    else if (fs.readFileSync(file, 'utf8') !== text) found.push(`differs: charts/${def.name}/${rel}`);
  }
  for (const rel of filesUnder(dir)) if (!files.has(rel)) found.push(`not generated: charts/${def.name}/${rel}`);
  const schemaFile = path.join(out, 'schemas', def.name, def.version, 'values.schema.json');
  if (!fs.existsSync(schemaFile) || fs.readFileSync(schemaFile, 'utf8') !== schema)
    found.push(`differs: schemas/${def.name}/${def.version}/values.schema.json`);
  return found;
}

function check(charts: ChartDefinition[], out: string): boolean {
  let ok = true;
  for (const def of charts) {
    const problems = drift(def, out);
    console.log(
      problems.length ? `${def.name}: ${problems.length} file(s) differ from the generator's output:\n  ${problems.join('\n  ')}` : `${def.name}: up to date`,
    );
    ok &&= problems.length === 0;
  }
  if (!ok) console.log("run 'make charts' and commit the result");
  return ok;
}

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  if (!command || command === '-h' || command === '--help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    console.log(USAGE);
    return 0;
  }
  const at = rest.indexOf('--out');
  let out = ROOT;
  if (at >= 0) {
    if (!rest[at + 1] || rest[at + 1].startsWith('-')) throw new UsageError('--out needs a folder');
    out = path.resolve(rest[at + 1]);
    rest.splice(at, 2);
  }
  const flags = rest.filter((a) => a.startsWith('-'));
  if (flags.length) throw new UsageError(`unknown option ${flags.join(', ')}`);
  switch (command) {
    case 'generate':
      generate(select(rest), out);
      return 0;
    case 'check':
      return check(select(rest), out) ? 0 : 1;
    case 'schema': {
      if (rest.length !== 1) throw new UsageError('schema takes exactly one chart');
      process.stdout.write(generateChart(select(rest)[0]).schema);
      return 0;
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  if (e instanceof UsageError) {
    console.error(`error: ${e.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    console.error(`error: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
