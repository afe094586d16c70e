import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const webMain = fileURLToPath(new URL('../../main/web/main.ts', import.meta.url));

/** `npm run web` as a child process (demo mode, its own data and log folders). */
export interface WebProcess {
  child: ChildProcess;
  /** The page's address, with this run's secret in its fragment. */
  url: string;
  origin: string;
  secret: string;
  dataDir: string;
  /** Every record of its log so far, parsed. */
  logRecords(): Record<string, unknown>[];
  /** Resident memory now, in bytes (Linux /proc). */
  rss(): number;
  alive(): boolean;
  stderr(): string;
  stop(): Promise<void>;
}

export async function startWebProcess(): Promise<WebProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'taskdrop-web-'));
  const dataDir = join(dir, 'data');
  const logDir = join(dir, 'logs');
  const child = spawn(process.execPath, [webMain, '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, TASKDROP_ACCESS_TOKEN: '', TASKDROP_LOG_DIR: logDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm run web did not start: ${stderr}`)),
      20_000,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = /http:\/\/127\.0\.0\.1:\d+\/#secret=[\w-]+/.exec(stdout);
      if (found !== null) {
        clearTimeout(timer);
        resolve(found[0]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm run web exited (${code}): ${stderr}`));
    });
  });
  const parsed = new URL(url);
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    child,
    url,
    origin: parsed.origin,
    secret: parsed.hash.replace('#secret=', ''),
    dataDir,
    logRecords() {
      const file = join(logDir, 'taskdrop.log');
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    rss() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    },
    alive,
    stderr: () => stderr,
    async stop() {
      if (alive()) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Writes `bytes` on a fresh TCP connection, half-closes it, and answers what came back before
 * the server closed it (or `timeoutMs` passed): raw, so malformed requests reach the server as
 * they are.
 */
export function rawExchange(
  origin: string,
  bytes: Buffer | string,
  timeoutMs = 3_000,
): Promise<string> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: hostname, port: Number(port) });
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', done);
    socket.on('close', done);
    socket.on('connect', () => socket.end(bytes));
  });
}
