import { parseArgs } from 'node:util';
import { parseVariantList, startSimulator } from './index.ts';

/**
 * `npm run sim -- [--port N] [--data DIR] [--seed demo|empty] [--variant NAME[,NAME…]]`: runs the
 * Graph simulator on loopback, prints one JSON line (graphUrl, inspectUrl, testToken, variants...)
 * and serves until stopped. The variants are in docs/simulator-variants.md.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    // `./run sim -- --port 0` hands npm's own `--` on as the first argument.
    args: withoutLeadingSeparator(process.argv.slice(2)),
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      data: { type: 'string' },
      seed: { type: 'string', default: 'demo' },
      variant: { type: 'string', multiple: true, default: [] },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`--port must be a port number, not "${values.port}"`);
  }
  if (values.seed !== 'demo' && values.seed !== 'empty') {
    throw new Error(`--seed must be demo or empty, not "${values.seed}"`);
  }
  const sim = await startSimulator({
    port,
    host: values.host,
    dataDir: values.data,
    seed: values.seed,
    variants: values.variant.flatMap(parseVariantList),
  });
  process.stdout.write(
    `${JSON.stringify({
      graphUrl: sim.graphUrl,
      inspectUrl: sim.inspectUrl,
      testToken: sim.testToken,
      userId: sim.user.id,
      userPrincipalName: sim.user.userPrincipalName,
      variants: sim.variants,
      pid: process.pid,
    })}\n`,
  );
  const stop = (): void => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

function withoutLeadingSeparator(args: string[]): string[] {
  return args[0] === '--' ? args.slice(1) : args;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `taskdrop simulator: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
