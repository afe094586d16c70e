import type { Unsubscribe } from '../../../preload/shared/contract.ts';
import type { RendererApi } from '../api/connect.ts';
import type { ViewId } from '../views.ts';
import { IntakeState } from './intake.svelte.ts';
import { NoticeState } from './notices.svelte.ts';
import { PickerState } from './picker.svelte.ts';
import { QueueState } from './queue.svelte.ts';
import { SettingsState } from './settings.svelte.ts';
import { WatchedFoldersState } from './watched-folders.svelte.ts';

/** Everything one connected window holds: the states of each view, wired to one API. */
export class Session {
  readonly client: RendererApi;
  readonly notices = new NoticeState();
  readonly queue: QueueState;
  readonly picker: PickerState;
  readonly settings: SettingsState;
  readonly intake: IntakeState;
  readonly folders: WatchedFoldersState;
  view = $state<ViewId>('queue');

  constructor(client: RendererApi) {
    this.client = client;
    this.queue = new QueueState(
      client.api,
      (what, error) => this.notices.failed(what, error),
      this.notices,
    );
    this.picker = new PickerState(client.api);
    this.settings = new SettingsState(client.api);
    this.intake = new IntakeState(
      client,
      this.picker,
      this.notices,
      () => !this.settings.needsAccount,
    );
    this.folders = new WatchedFoldersState(client.api, (what, error) =>
      this.notices.failed(what, error),
    );
  }

  /** Starts listening and loading; returns how to stop. */
  start(): Unsubscribe {
    const stops = [
      this.queue.start(),
      this.settings.start(),
      this.folders.start(),
      this.client.api.on('accountsChanged', (accounts) => {
        if (accounts.length === 0) return;
        this.picker.accountsArrived();
        void this.intake.resumeWaiting();
      }),
      this.client.api.on('tasksGone', (gone) => {
        this.picker.tasksGone(gone);
        this.intake.tasksGone(gone);
      }),
      this.client.api.on('shortcutPressed', () => {
        this.view = 'queue';
        void this.intake.fromShortcut();
      }),
      this.client.api.on('targetRequested', (request) => {
        this.view = 'queue';
        void this.intake.fromOutside(request);
      }),
    ];
    return () => {
      for (const stop of stops) stop();
    };
  }
}
