/**
 * The Graph simulator in a process of its own, for benchmarks: its options as JSON in argv[2]
 * (TLS as PEM text), its address as one JSON line on stdout; it serves until SIGTERM.
 */
import { startSimulator, type SimulatorOptions } from '../../main/simulator/index.ts';

const sim = await startSimulator(JSON.parse(process.argv[2] ?? '{}') as SimulatorOptions);
process.stdout.write(`${JSON.stringify({ graphUrl: sim.graphUrl, testToken: sim.testToken })}\n`);
process.once('SIGTERM', () => {
  void sim.close().finally(() => process.exit(0));
});
