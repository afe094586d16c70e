import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface RawResponse {
  status: number;
  /** Header names exactly as sent on the wire, to check casing. */
  rawHeaderNames: string[];
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json: () => unknown;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string | number>;
  body?: Buffer | string;
  /** Send the body with Transfer-Encoding: chunked, so no Content-Length goes out. */
  chunked?: boolean;
  /** For an https URL: the certificate (PEM) to trust, such as a test server's own. */
  ca?: string;
}

/**
 * One HTTP exchange with node:http (or node:https), no client library in between: what the simulator tests use
 * to see the protocol as it is on the wire. Rejects when the server cuts the connection.
 */
export function raw(url: string, options: RawRequest = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
    const headers = { ...options.headers };
    if (options.chunked === true) {
      headers['Transfer-Encoding'] = 'chunked';
    } else if (body !== undefined && headers['Content-Length'] === undefined) {
      headers['Content-Length'] = body.length;
    }
    const send = url.startsWith('https:') ? httpsRequest : request;
    const settings = { method: options.method ?? 'GET', headers, agent: false, ca: options.ca };
    const req = send(url, settings, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const text = bytes.toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          rawHeaderNames: res.rawHeaders.filter((_, index) => index % 2 === 0),
          headers: res.headers,
          body: bytes,
          text,
          json: () => JSON.parse(text) as unknown,
        });
      });
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`timed out: ${url}`)));
    req.on('error', reject);
    if (options.chunked === true && body !== undefined) req.write(body);
    req.end(options.chunked === true ? undefined : body);
  });
}
