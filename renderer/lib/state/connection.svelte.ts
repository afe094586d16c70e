import { connect, type RendererApi } from '../api/connect.ts';

export type ConnectionPhase = 'connecting' | 'connected' | 'disconnected' | 'unreachable';

/** How long "Connecting…" may show before the page says taskdrop does not answer. */
const patienceMs = 8_000;

/** Whether the UI reaches taskdrop: connecting, connected, lost on the way, or never reached. */
export class ConnectionState {
  phase = $state<ConnectionPhase>('connecting');
  /** Why it could not connect, in words for the person. */
  reason = $state('');
  client = $state.raw<RendererApi | null>(null);
  /**
   * Unreachable, yet the server that served this page still answers: then it is taskdrop
   * refusing this window's key (an address from an earlier start), not taskdrop stopped.
   */
  refused = $state(false);

  async open(): Promise<void> {
    // A socket that neither opens nor fails (a half-dead server) must not leave a spinner.
    const impatient = setTimeout(() => {
      if (this.phase === 'connecting') this.phase = 'unreachable';
    }, patienceMs);
    try {
      const client = await connect((state) => {
        if (state === 'connected') return;
        // A socket that never opened is "cannot reach"; one that closed later is "stopped".
        this.phase = this.client === null ? 'unreachable' : 'disconnected';
      });
      this.client = client;
      if (this.phase !== 'disconnected') this.phase = 'connected';
    } catch (error) {
      this.phase = 'unreachable';
      this.reason = error instanceof Error ? error.message : String(error);
    } finally {
      clearTimeout(impatient);
    }
    if (this.phase === 'unreachable') this.refused = await serverAnswers();
  }
}

/**
 * Whether this page's server answers, asked with an image (the page's policy allows images
 * from its own server and no other connection): the favicon loads only if it does.
 */
function serverAnswers(timeoutMs = 3_000): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = new Image();
    const timer = setTimeout(() => resolve(false), timeoutMs);
    const done = (answered: boolean): void => {
      clearTimeout(timer);
      resolve(answered);
    };
    probe.onload = () => done(true);
    probe.onerror = () => done(false);
    probe.src = `/favicon.svg?probe=${Date.now()}`;
  });
}
