import { setFlagsFromString } from 'node:v8';

/**
 * Asks V8 to keep the heap small rather than let it grow for speed, for the processes that run
 * the engine (the app's main process, the CLI, the web fallback). An upload leaves many short-
 * lived objects behind (requests, streams, rows) and V8 otherwise lets the old generation fill
 * with those for the whole batch before it collects, so the peak grows with the batch: 107 MB
 * for 10 files of 25 MB, 139 MB for 100. With this, about 108 MB for either (BENCHMARKS.md);
 * the collections it adds cost no measurable upload speed, and a burst of 10,000 watched files
 * about 80 ms. Set once, at start: V8 reads it on
 * each collection, so it takes effect though the VM is already running.
 */
export function preferSmallHeap(): void {
  setFlagsFromString('--optimize-for-size');
}
