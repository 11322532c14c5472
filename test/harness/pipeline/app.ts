// The instrumented application: a Node process of its own that sends telemetry with the SDK
// (telemetry.ts). Its own process because that is what an application is, and because the SDK's
// OTLP/HTTP transport loads `http` with a dynamic import(), which Jest's module sandbox refuses.
//   runApp(jobs) → spawns `node -r ts-node/register/transpile-only app.ts`, the jobs on stdin,
//   their results (the traces sent) back as JSON on stdout.
import { spawn } from 'child_process';
import { SendOptions, SentTrace, TracePlan, sendLog, sendMetric, sendTraces } from './telemetry';

export type Job =
  | { kind: 'traces'; url: string; plans: TracePlan[]; options: SendOptions }
  | { kind: 'metric'; base: string; service: string; name: string }
  | { kind: 'log'; base: string; service: string; body: string };

/** Per job, the traces it sent (empty for a metric or a log). */
export type Results = SentTrace[][];

function run(job: Job): Promise<SentTrace[]> {
  switch (job.kind) {
    case 'traces':
      return sendTraces(job.url, job.plans, job.options);
    case 'metric':
      return sendMetric(job.base, job.service, job.name).then(() => []);
    case 'log':
      return sendLog(job.base, job.service, job.body).then(() => []);
  }
}

/** Runs the jobs concurrently in one application process. */
export function runApp(jobs: Job[], timeoutMs = 30_000): Promise<Results> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), __filename], {
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code, signal) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`application ${signal ?? `exited with ${code}`}:\n${err}`))));
    child.stdin.end(JSON.stringify(jobs));
  });
}

async function main(): Promise<void> {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const results: Results = await Promise.all((JSON.parse(input) as Job[]).map(run));
  process.stdout.write(JSON.stringify(results));
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
