import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createBridge } from './bridge.ts';

// Runs sandboxed, before the page: exposes the contract and a way to get a dropped file's path.
contextBridge.exposeInMainWorld('taskdrop', createBridge(ipcRenderer));
contextBridge.exposeInMainWorld('taskdropFiles', {
  pathForFile: (file: File): string => webUtils.getPathForFile(file),
});
