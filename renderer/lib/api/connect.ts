import type { EnqueueResult, TaskdropApi, TaskTarget } from '../../../preload/shared/contract.ts';
import { connectWebSocketApi, type ConnectionState } from './websocket-api.ts';

/** What the Electron preload puts on `window` (see preload/bridge.ts). */
declare global {
  interface Window {
    taskdrop?: TaskdropApi;
    taskdropFiles?: { pathForFile(file: File): string };
  }
}

/** The contract, plus queuing files the person dropped, whichever transport carries them. */
export interface RendererApi {
  api: TaskdropApi;
  transport: 'electron' | 'websocket';
  enqueueFiles(files: readonly File[], target: TaskTarget): Promise<EnqueueResult>;
}

/**
 * Inside the app the preload gives the contract and real file paths; in a browser the local
 * WebSocket carries the contract and dropped files travel as bytes (staged in the data dir).
 */
export async function connect(
  onConnection: (state: ConnectionState) => void,
): Promise<RendererApi> {
  const { taskdrop, taskdropFiles } = window;
  if (taskdrop !== undefined && taskdropFiles !== undefined) {
    onConnection('connected');
    return {
      api: taskdrop,
      transport: 'electron',
      enqueueFiles: (files, target) =>
        taskdrop.enqueue({ paths: files.map((file) => taskdropFiles.pathForFile(file)), target }),
    };
  }
  const api = await connectWebSocketApi(window.location, onConnection);
  return {
    api,
    transport: 'websocket',
    enqueueFiles: (files, target) => api.enqueueFiles(files, target),
  };
}
