/**
 * An engine in a process of its own, for what a test cannot do to its own process: run as
 * another user, or die by SIGKILL in the middle of an upload. Its orders come as JSON in
 * argv[2]; it prints the enqueue result as one JSON line on stdout.
 */
import type { TaskTarget } from '../../preload/shared/contract.ts';
import { IssuingTokenProvider } from '../../main/core/auth/token-provider.ts';
import { Engine } from '../../main/core/engine/engine.ts';

export interface ChildOrders {
  dataDir: string;
  graphUrl: string;
  token: string;
  target: TaskTarget;
  paths: string[];
  /** Upload after enqueueing (and run until killed), or just enqueue and exit. */
  upload: boolean;
  rangeSize: number;
  smallUploadMaxBytes: number;
}

const orders = JSON.parse(process.argv[2] ?? '{}') as ChildOrders;
const engine = Engine.open({
  dataDir: orders.dataDir,
  accounts: [
    { id: orders.target.accountId, graphUrl: orders.graphUrl, label: 'child', kind: 'demo' },
  ],
  tokens: new IssuingTokenProvider(() => orders.token),
  rangeSize: orders.rangeSize,
  smallUploadMaxBytes: orders.smallUploadMaxBytes,
});
const result = await engine.enqueue({ paths: orders.paths, target: orders.target });
process.stdout.write(`${JSON.stringify(result)}\n`);
if (orders.upload) engine.start();
else await engine.close();
