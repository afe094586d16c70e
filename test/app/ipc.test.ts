import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandChannel, eventChannel } from '../../preload/shared/channels.ts';
import { createBridge, type IpcRendererLike } from '../../preload/bridge.ts';
import type { JobsChanged } from '../../preload/shared/contract.ts';
import type { Engine } from '../../main/core/engine/engine.ts';
import {
  forwardEvents,
  isTrustedSender,
  registerCommandHandler,
  type IpcMainLike,
  type SenderFrame,
} from '../../main/app/ipc.ts';
import { harness, settle, type Harness } from '../support/engine-harness.ts';

const pageUrl = 'app://taskdrop/index.html';
type Handler = (event: { senderFrame: SenderFrame | null }, ...args: unknown[]) => Promise<unknown>;

/** Electron's ipcMain and ipcRenderer stand-ins, joined the way Electron joins them. */
function fakeIpc(frame: () => SenderFrame | null): {
  ipcMain: IpcMainLike;
  ipcRenderer: IpcRendererLike;
  emitter: EventEmitter;
  handlers: Map<string, Handler>;
} {
  const handlers = new Map<string, Handler>();
  const emitter = new EventEmitter();
  return {
    handlers,
    emitter,
    ipcMain: {
      handle: (channel, handler) => handlers.set(channel, handler),
      removeHandler: (channel) => handlers.delete(channel),
    },
    ipcRenderer: {
      invoke: async (channel, ...args) => {
        const handler = handlers.get(channel);
        if (handler === undefined) throw new Error(`no handler for ${channel}`);
        return handler({ senderFrame: frame() }, ...args);
      },
      on: (channel, listener) => emitter.on(channel, listener),
      removeListener: (channel, listener) => emitter.removeListener(channel, listener),
    },
  };
}

let h: Harness;
let engine: Engine;

beforeAll(async () => {
  h = await harness();
  engine = h.open();
  engine.start();
});
afterAll(() => h.close());

describe('sender checks', () => {
  it('trusts only our own page in the top frame', () => {
    expect(isTrustedSender({ url: pageUrl, parent: null }, pageUrl)).toBe(true);
    expect(isTrustedSender({ url: `${pageUrl}#/settings`, parent: null }, pageUrl)).toBe(true);
    expect(isTrustedSender({ url: pageUrl, parent: {} }, pageUrl)).toBe(false);
    expect(isTrustedSender({ url: 'https://evil.example/', parent: null }, pageUrl)).toBe(false);
    expect(isTrustedSender({ url: 'file:///tmp/index.html', parent: null }, pageUrl)).toBe(false);
    expect(isTrustedSender(null, pageUrl)).toBe(false);
  });
});

describe('the preload bridge over IPC, against the real engine', () => {
  it('runs commands for our page and refuses anyone else', async () => {
    let frame: SenderFrame | null = { url: pageUrl, parent: null };
    const ipc = fakeIpc(() => frame);
    const stop = registerCommandHandler(ipc.ipcMain, engine, pageUrl);
    const bridge = createBridge(ipc.ipcRenderer);
    expect(await bridge.listAccounts()).toEqual([
      { id: 'sim', label: 'Simulator', kind: 'demo', signedIn: true },
    ]);
    await expect(bridge.pause({ ids: ['not a number' as unknown as number] })).rejects.toThrow(
      'Invalid arguments for pause',
    );
    frame = { url: 'https://evil.example/', parent: null };
    await expect(bridge.listJobs()).rejects.toThrow(
      'Refused: this page is not taskdrop’s own window.',
    );
    stop();
    expect(ipc.handlers.has(commandChannel)).toBe(false);
  });

  it('refuses command names outside the contract', async () => {
    const ipc = fakeIpc(() => ({ url: pageUrl, parent: null }));
    registerCommandHandler(ipc.ipcMain, engine, pageUrl);
    const answer = await ipc.ipcRenderer.invoke(commandChannel, 'constructor', []);
    expect(answer).toEqual({
      ok: false,
      failure: { kind: 'unknown-command', message: 'There is no command "constructor".' },
    });
  });

  it('delivers events as payloads only, and stops on unsubscribe', async () => {
    const ipc = fakeIpc(() => ({ url: pageUrl, parent: null }));
    registerCommandHandler(ipc.ipcMain, engine, pageUrl);
    const bridge = createBridge(ipc.ipcRenderer);
    const contents = {
      isDestroyed: () => false,
      send: (channel: string, ...args: unknown[]) =>
        ipc.emitter.emit(channel, { sender: 'ipc event object' }, ...args),
    };
    const stopForwarding = forwardEvents(engine, () => [contents]);
    const seen: JobsChanged[] = [];
    const unsubscribe = bridge.on('jobsChanged', (payload) => seen.push(payload));
    const result = await bridge.enqueue({ paths: [h.file('ipc.txt', 100)], target: h.target });
    await settle(engine, [result.accepted[0]!.id]);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.flatMap((change) => change.upserted.map((job) => job.state))).toContain('done');
    expect(JSON.stringify(seen)).not.toContain('ipc event object');
    unsubscribe();
    expect(ipc.emitter.listenerCount(eventChannel)).toBe(0);
    stopForwarding();
    expect(() => bridge.on('nonsense' as 'progress', () => undefined)).toThrow(
      'no event "nonsense"',
    );
  });
});
