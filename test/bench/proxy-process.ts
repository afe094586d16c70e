/**
 * The fault proxy in a process of its own, for benchmarks: its options as JSON in argv[2], its
 * origin as one JSON line on stdout; it forwards until SIGTERM. Shaping paces by timers, which
 * must not wait for the client's work (nor slow it), as a real link does not.
 */
import { startFaultProxy, type FaultProxyOptions } from '../chaos/fault-proxy.ts';

const proxy = await startFaultProxy(JSON.parse(process.argv[2] ?? '{}') as FaultProxyOptions);
process.stdout.write(`${JSON.stringify({ origin: proxy.origin })}\n`);
process.once('SIGTERM', () => {
  void proxy.close().finally(() => process.exit(0));
});
