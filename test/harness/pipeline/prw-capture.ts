// A Prometheus remote-write (1.0) destination for end-to-end tests: an HTTP server on loopback that
// takes what a collector's prometheus_remote_write exporter sends (a snappy block-compressed protobuf
// prometheus.WriteRequest), decodes it, and keeps the series it carried for the test to read.
import * as http from 'http';
import { AddressInfo } from 'net';
import { parse } from 'protobufjs';
import { uncompress } from 'snappyjs';

// The part of the remote-write 1.0 schema a capture reads, as upstream defines it in
// prometheus/prompb/remote.proto (WriteRequest) and prometheus/prompb/types.proto (the rest). Fields left
// out (exemplars, native histograms, metadata's details) are skipped by the decoder as unknown fields.
const PROMPB = `
syntax = "proto3";
package prometheus;
message WriteRequest { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
message MetricMetadata { string metric_family_name = 2; string help = 4; string unit = 5; }
message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; }
message Label { string name = 1; string value = 2; }
message Sample { double value = 1; int64 timestamp = 2; }
`;
const WriteRequest = parse(PROMPB, { keepCase: true }).root.lookupType('prometheus.WriteRequest');

interface DecodedWriteRequest {
  timeseries?: { labels?: { name: string; value: string }[]; samples?: { value: number }[] }[];
}

/** Larger bodies are refused: the exporter's default batch is about 3 MB. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface CapturedSeries {
  labels: Record<string, string>;
  /** How many samples arrived for this label set, over all requests. */
  samples: number;
}

export interface PrwCapture {
  /** The remote-write URL to give an exporter: http://host:port/api/v1/write. */
  url: string;
  /** Write requests accepted so far. */
  readonly requests: number;
  /** Requests answered with an error (bad encoding, undecodable body). */
  readonly rejected: number;
  /** Every label set received, with its sample count. */
  series(): CapturedSeries[];
  sampleCount(): number;
  /** The `__name__` label of every series. */
  metricNames(): Set<string>;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) req.destroy(new HttpError(413, `body over ${MAX_BODY_BYTES} bytes`));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The series of one request body, or an HttpError saying why it cannot be read. */
function decode(req: http.IncomingMessage, body: Buffer): CapturedSeries[] {
  // 1.0 senders send bare application/x-protobuf; 2.0 ones add ;proto=io.prometheus.write.v2.Request.
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/x-protobuf\s*(;\s*proto=prometheus\.WriteRequest\s*)?$/i.test(type)) throw new HttpError(415, `unsupported Content-Type ${type}`);
  if (req.headers['content-encoding'] !== 'snappy') throw new HttpError(415, `unsupported Content-Encoding ${req.headers['content-encoding']}`);
  let decoded: DecodedWriteRequest;
  try {
    decoded = WriteRequest.toObject(WriteRequest.decode(uncompress(body, MAX_BODY_BYTES)), { arrays: true }) as DecodedWriteRequest;
  } catch (e) {
    throw new HttpError(400, `undecodable body: ${(e as Error).message}`);
  }
  return (decoded.timeseries ?? []).map((ts) => ({
    labels: Object.fromEntries((ts.labels ?? []).map((l) => [l.name, l.value])),
    samples: ts.samples?.length ?? 0,
  }));
}

/** A series' identity: its labels, sorted by name. */
const keyOf = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Starts a capture listening on host:port (port 0: any free one). */
export async function startPrwCapture(host: string, port: number): Promise<PrwCapture> {
  const seen = new Map<string, CapturedSeries>();
  let requests = 0;
  let rejected = 0;

  const server = http.createServer(async (req, res) => {
    try {
      if (req.method !== 'POST') throw new HttpError(405, `${req.method} is not a remote write`);
      for (const s of decode(req, await readBody(req))) {
        const key = keyOf(s.labels);
        const known = seen.get(key);
        if (known) known.samples += s.samples;
        else seen.set(key, s);
      }
      requests++;
      res.writeHead(204).end();
    } catch (e) {
      rejected++;
      const status = e instanceof HttpError ? e.status : 500;
      if (!res.headersSent) res.writeHead(status, { 'Content-Type': 'text/plain' }).end(`${(e as Error).message}\n`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;

  return {
    url: `http://${host}:${address.port}/api/v1/write`,
    get requests() {
      return requests;
    },
    get rejected() {
      return rejected;
    },
    series: () => [...seen.values()].map((s) => ({ labels: { ...s.labels }, samples: s.samples })),
    sampleCount: () => [...seen.values()].reduce((n, s) => n + s.samples, 0),
    metricNames: () => new Set([...seen.values()].map((s) => s.labels.__name__).filter((n) => n !== undefined)),
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Keep-alive connections from the exporter would hold close() open until they time out.
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}
