/**
 * The clients of the SDK benchmark, in a process of their own: it starts with NODE_EXTRA_CA_CERTS
 * naming the simulator's certificate, which Node reads only at start. Orders as JSON in argv[2];
 * the samples (milliseconds per upload, by client) as one JSON line on stdout.
 */
import {
  Client,
  FileUpload,
  LargeFileUploadTask,
  StreamUpload,
} from '@microsoft/microsoft-graph-client';
import { createReadStream, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TaskTarget } from '../../preload/shared/contract.ts';
import { defaultRangeSize } from '../../main/core/upload/upload-attempt.ts';
import { benchTarget, openEngine, type SimAddress } from './bench-support.ts';
import { alternate, barePutLoop, taskdropEngine, taskUrl, type Uploader } from './uploaders.ts';

export interface SdkOrders extends SimAddress {
  file: string;
  dir: string;
  reps: number;
}

/**
 * `LargeFileUploadTask` as its documentation shows it, told what To Do needs: the session URL plus
 * `/content`, and ranges To Do accepts (the size taskdrop uses). The file comes from disk as a
 * stream, or read whole into memory first (the SDK's other way, and its fastest).
 */
function graphSdk(sim: SimAddress, target: TaskTarget, from: 'disk' | 'memory'): Uploader {
  const client = Client.init({
    authProvider: (done) => done(null, sim.testToken),
    customHosts: new Set([new URL(sim.graphUrl).hostname]),
  });
  return async (path) => {
    const size = statSync(path).size;
    const name = `sdk-${from}.bin`;
    const started = performance.now();
    const session = await LargeFileUploadTask.createUploadSession(
      client,
      `${taskUrl(sim, target)}/attachments/createUploadSession`,
      { attachmentInfo: { attachmentType: 'file', name, size } },
    );
    const url = `${session.url}/content`;
    const options = { rangeSize: defaultRangeSize };
    const upload =
      from === 'disk'
        ? new LargeFileUploadTask(
            client,
            new StreamUpload(
              createReadStream(path, { highWaterMark: defaultRangeSize }),
              name,
              size,
            ),
            { ...session, url },
            options,
          )
        : new LargeFileUploadTask(
            client,
            new FileUpload(await readFile(path), name, size),
            { ...session, url },
            options,
          );
    await upload.upload();
    return performance.now() - started;
  };
}

const orders = JSON.parse(process.argv[2] ?? '{}') as SdkOrders;
const setup = openEngine(orders, join(orders.dir, 'setup'));
const target = await benchTarget(setup);
await setup.close();
const samples = await alternate(
  {
    bare: barePutLoop(orders, target),
    taskdrop: taskdropEngine(orders, target, (run) => join(orders.dir, `data-${run}`)),
    sdkDisk: graphSdk(orders, target, 'disk'),
    sdkMemory: graphSdk(orders, target, 'memory'),
  },
  orders.file,
  orders.reps,
);
process.stdout.write(`${JSON.stringify(samples)}\n`);
