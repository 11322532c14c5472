// Test certificates made with the openssl CLI: a throwaway CA and server/client certificates it signs,
// each written to a folder laid out as a kubernetes.io/tls Secret mounted as files (ca.crt, tls.crt,
// tls.key), which is how the charts hand certificates to a collector. EC P-256 keys and one day of
// validity keep a set fast to make (a few ms per certificate) and harmless if left behind.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

const OPENSSL = 'openssl';
const VALIDITY_DAYS = '1';

/** A folder like a mounted kubernetes.io/tls Secret: the issuing CA's certificate, the certificate, its key. */
export interface TlsFiles {
  dir: string;
  caCrt: string;
  tlsCrt: string;
  tlsKey: string;
}

/** A self-signed CA: what signs the certificates below. */
export interface Ca {
  name: string;
  crt: string;
  key: string;
}

/**
 * The openssl configuration: our own, so no system openssl.cnf adds extensions of its own. `req`
 * insists on a distinguished_name section even when -subj gives the subject.
 */
function opensslConfig(extensions: string[]): string {
  return ['[req]', 'distinguished_name = dn', '[dn]', '[ext]', ...extensions, ''].join('\n');
}

/**
 * Runs openssl with `config` as its -config file, written beside the output for the call's duration
 * (not on stdin: Node's stdin pipe is a socket, which openssl cannot open as /dev/stdin).
 */
function openssl(args: string[], config: string, dir: string): void {
  const file = path.join(dir, `.openssl-${process.pid}-${Date.now()}.cnf`);
  fs.writeFileSync(file, config);
  try {
    const r = spawnSync(OPENSSL, [...args, '-config', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
    if (r.error) throw new Error(`openssl could not start: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed (${r.status ?? r.signal}):\n${r.stderr}`);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/**
 * A new EC P-256 key and certificate, self-signed or signed by `ca`. `req -x509 -CA` (OpenSSL 3.0+)
 * makes the key and issues the certificate in one call, with exactly the extensions given.
 */
function issue(crt: string, key: string, cn: string, extensions: string[], ca?: Ca): void {
  if (/[/\\+=\n]/.test(cn)) throw new Error(`certificate common name ${JSON.stringify(cn)} has a character openssl -subj would misread`);
  const args = ['req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  args.push('-keyout', key, '-out', crt, '-days', VALIDITY_DAYS, '-subj', `/CN=${cn}`, '-extensions', 'ext');
  if (ca) args.push('-CA', ca.crt, '-CAkey', ca.key);
  openssl(args, opensslConfig(extensions), path.dirname(crt));
}

/** A self-signed CA in `dir` (ca.crt, ca.key) that may sign leaf certificates only. */
export function makeCa(dir: string, name = 'test-ca'): Ca {
  fs.mkdirSync(dir, { recursive: true });
  const ca = { name, crt: path.join(dir, 'ca.crt'), key: path.join(dir, 'ca.key') };
  issue(ca.crt, ca.key, name, ['basicConstraints = critical, CA:TRUE, pathlen:0', 'keyUsage = critical, keyCertSign, cRLSign', 'subjectKeyIdentifier = hash']);
  return ca;
}

/** A leaf certificate in `dir` as a tls Secret lays it out, with the CA's certificate beside it. */
function leaf(ca: Ca, dir: string, cn: string, extendedKeyUsage: string, more: string[] = []): TlsFiles {
  fs.mkdirSync(dir, { recursive: true });
  const files = { dir, caCrt: path.join(dir, 'ca.crt'), tlsCrt: path.join(dir, 'tls.crt'), tlsKey: path.join(dir, 'tls.key') };
  const extensions = [
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature',
    `extendedKeyUsage = ${extendedKeyUsage}`,
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid:always',
    ...more,
  ];
  issue(files.tlsCrt, files.tlsKey, cn, extensions, ca);
  if (path.resolve(ca.crt) !== path.resolve(files.caCrt)) fs.copyFileSync(ca.crt, files.caCrt);
  return files;
}

/**
 * A server certificate for `hosts`: each an IP address (127.0.9.2) or a DNS name, all in
 * subjectAltName. `alsoClient`: usable as a client certificate too, as cert-manager issues one with
 * usages [server auth, client auth] (what a chart sender presents to the gateway under mTLS).
 */
export function serverCert(ca: Ca, dir: string, hosts: string[], alsoClient = false): TlsFiles {
  if (!hosts.length) throw new Error('a server certificate needs at least one host');
  const sans = hosts.map((h) => {
    if (net.isIP(h)) return `IP:${h}`;
    if (/^(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(h)) return `DNS:${h}`;
    throw new Error(`${JSON.stringify(h)} is neither an IP address nor a DNS name`);
  });
  return leaf(ca, dir, hosts[0], alsoClient ? 'serverAuth, clientAuth' : 'serverAuth', [`subjectAltName = ${sans.join(', ')}`]);
}

/** A client certificate (clientAuth) whose subject is CN=`cn`. */
export function clientCert(ca: Ca, dir: string, cn: string): TlsFiles {
  return leaf(ca, dir, cn, 'clientAuth');
}
