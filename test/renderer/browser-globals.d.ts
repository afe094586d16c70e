/**
 * These tests hold the renderer's state classes (browser code) and the engine (Node code) in one
 * program, so they are checked with the DOM's types beside Node's. The DOM library's RequestInit
 * lags the Fetch standard by `duplex`, which the engine's streamed uploads send
 * (main/core/graph/transport.ts).
 */
interface RequestInit {
  duplex?: 'half';
}
