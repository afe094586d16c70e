import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SelfSignedCert {
  /** PEM text. */
  cert: string;
  key: string;
  /** Where the certificate is, for NODE_EXTRA_CA_CERTS. */
  certPath: string;
}

/** A certificate for 127.0.0.1 that signs itself, made in `dir` with the openssl command. */
export function selfSignedCert(dir: string): SelfSignedCert {
  const certPath = join(dir, 'loopback-cert.pem');
  const keyPath = join(dir, 'loopback-key.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        keyPath,
        '-out',
        certPath,
      ],
      { stdio: 'pipe' },
    );
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`A test certificate is made with the openssl command, which failed: ${why}`, {
      cause: error,
    });
  }
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), certPath };
}
