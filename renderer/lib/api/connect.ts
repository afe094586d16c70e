import type { EnqueueResult, TaskdropApi, TaskTarget } from '../../../preload/contract.ts';
import { maxAttachmentBytes, tooLargeMessage } from '../../../preload/sizes.ts';
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

function base64(bytes: ArrayBuffer): string {
  let binary = '';
  const view = new Uint8Array(bytes);
  for (let index = 0; index < view.length; index += 0x8000) {
    binary += String.fromCharCode(...view.subarray(index, index + 0x8000));
  }
  return btoa(binary);
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
    enqueueFiles: async (files, target) => {
      const tooLarge = files.filter((file) => file.size > maxAttachmentBytes);
      const staged = await Promise.all(
        files
          .filter((file) => file.size <= maxAttachmentBytes)
          .map(async (file) => ({
            name: file.name,
            contentBase64: base64(await file.arrayBuffer()),
          })),
      );
      const result: EnqueueResult =
        staged.length === 0
          ? { accepted: [], refused: [] }
          : await api.enqueueStaged({ files: staged, target });
      return {
        accepted: result.accepted,
        refused: [
          ...tooLarge.map((file) => ({
            path: file.name,
            reason: 'too-large' as const,
            message: tooLargeMessage(file.name, file.size),
            jobId: null,
          })),
          ...result.refused,
        ],
      };
    },
  };
}
