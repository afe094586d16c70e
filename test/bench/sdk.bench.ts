/**
 * One 25 MB upload to the simulator served over https (the Graph SDK sends its token only to an
 * https host): taskdrop against `@microsoft/microsoft-graph-client`'s LargeFileUploadTask, with
 * the bare PUT loop over the same TLS as the limit. Needs the openssl command for a certificate.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSimulator } from '../../main/simulator/index.ts';
import { selfSignedCert } from '../support/tls.ts';
import { emit, note, repetitions, unlimited, writeRandomFile } from './bench-support.ts';
import type { SdkOrders } from './sdk-clients.ts';
import { ratioRow, timeRow } from './uploaders.ts';

const size = 26_214_400;
const reps = repetitions(9, 3);

const dir = mkdtempSync(join(tmpdir(), 'taskdrop-bench-sdk-'));
try {
  const tls = selfSignedCert(dir);
  const sim = await startSimulator({
    retainBytes: false,
    limits: unlimited,
    tls: { cert: tls.cert, key: tls.key },
  });
  try {
    const orders: SdkOrders = {
      graphUrl: sim.graphUrl,
      testToken: sim.testToken,
      file: writeRandomFile(join(dir, 'bench.bin'), size),
      dir,
      reps,
    };
    note(`sdk: one 25 MB file over https, ${reps} runs of each client, in turn`);
    const script = new URL('./sdk-clients.ts', import.meta.url).pathname;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [script, JSON.stringify(orders)],
      { env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.certPath }, maxBuffer: 1 << 20 },
    );
    const samples = JSON.parse(stdout) as Record<string, number[]>;
    const [bare, ours, sdkDisk, sdkMemory] = ['bare', 'taskdrop', 'sdkDisk', 'sdkMemory'].map(
      (name) => samples[name] ?? [],
    );
    emit([
      timeRow('25 MB over https, bare PUT loop', bare!, size),
      timeRow('25 MB over https, taskdrop', ours!, size),
      timeRow('25 MB over https, SDK LargeFileUploadTask, file streamed from disk', sdkDisk!, size),
      timeRow('25 MB over https, SDK LargeFileUploadTask, file read into memory', sdkMemory!, size),
      ratioRow('throughput: taskdrop / SDK (streamed from disk)', ours!, sdkDisk!, 1),
      ratioRow('throughput: taskdrop / SDK (file in memory)', ours!, sdkMemory!, 1),
    ]);
  } finally {
    await sim.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
