// OTLP/HTTP with JSON bodies, sent with Node's https/http client: for requests the SDK cannot make
// (a client certificate of the test's choosing, a profile), and to read the server's exact answer.
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import { randomBytes } from 'crypto';

export interface ClientTls {
  ca: string;
  cert?: string;
  key?: string;
}

/** The HTTP status, or the transport error's message (a refused TLS handshake has no status). */
export type Answer = { status: number; body: string } | { error: string };

export function postJson(url: string, body: unknown, o: { tls?: ClientTls; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Answer> {
  const u = new URL(url);
  const payload = JSON.stringify(body);
  const options: https.RequestOptions = {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), ...o.headers },
    timeout: o.timeoutMs ?? 5000,
    ...(o.tls && {
      ca: fs.readFileSync(o.tls.ca),
      ...(o.tls.cert && { cert: fs.readFileSync(o.tls.cert), key: fs.readFileSync(o.tls.key!) }),
    }),
  };
  return new Promise((resolve) => {
    const req = (u.protocol === 'https:' ? https : http).request(u, options, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e) => resolve({ error: e.message }));
    req.end(payload);
  });
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const attribute = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** One trace of `spans` spans from `service`, as an OTLP JSON export request; returns its trace ID too. */
export function traceRequest(service: string, spans: number): { traceId: string; body: unknown } {
  const traceId = hex(16);
  const now = BigInt(Date.now()) * 1_000_000n;
  const list = Array.from({ length: spans }, (_, i) => ({
    traceId,
    spanId: hex(8),
    name: `step-${i}`,
    kind: 2,
    startTimeUnixNano: String(now),
    endTimeUnixNano: String(now + 1_000_000n),
  }));
  return {
    traceId,
    body: { resourceSpans: [{ resource: { attributes: [attribute('service.name', service)] }, scopeSpans: [{ scope: { name: 'e2e' }, spans: list }] }] },
  };
}

/**
 * One CPU profile with one sample, as an OTLP (v1development) JSON export request: the strings,
 * functions and locations it refers to sit in the request's shared dictionary.
 */
export function profileRequest(service: string): unknown {
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceProfiles: [
      {
        resource: { attributes: [attribute('service.name', service)] },
        scopeProfiles: [
          {
            scope: { name: 'e2e' },
            profiles: [
              {
                profileId: hex(16),
                timeUnixNano: String(now),
                durationNano: '1000000000',
                sampleType: { typeStrindex: 1, unitStrindex: 2 },
                samples: [{ stackIndex: 1, values: ['7'] }],
              },
            ],
          },
        ],
      },
    ],
    dictionary: {
      stringTable: ['', 'cpu', 'nanoseconds', 'main'],
      functionTable: [{}, { nameStrindex: 3 }],
      locationTable: [{}, { lines: [{ functionIndex: 1, line: '1' }] }],
      stackTable: [{}, { locationIndices: [1] }],
      mappingTable: [{}],
      linkTable: [{}],
      attributeTable: [{}],
    },
  };
}
