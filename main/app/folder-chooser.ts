import type { OpenDialogOptions, OpenDialogReturnValue } from 'electron';
import type { ChooseFolder } from '../core/engine/engine.ts';

/** The part of Electron's `dialog` the chooser uses: injectable, so it is testable. */
export interface FolderDialog<Window> {
  showOpenDialog(window: Window, options: OpenDialogOptions): Promise<OpenDialogReturnValue>;
}

export const folderDialogOptions: OpenDialogOptions = {
  title: 'Choose a folder to watch',
  buttonLabel: 'Watch this folder',
  properties: ['openDirectory', 'createDirectory'],
};

/**
 * The system's folder chooser, attached to the window that asked (a sheet on macOS). Only the
 * window asks, so without one there is no one to answer: null, as when the person cancels.
 */
export function folderChooser<Window>(
  dialog: FolderDialog<Window>,
  window: () => Window | undefined,
): ChooseFolder {
  return async () => {
    const owner = window();
    if (owner === undefined) return null;
    const chosen = await dialog.showOpenDialog(owner, folderDialogOptions);
    return chosen.canceled ? null : (chosen.filePaths[0] ?? null);
  };
}
