import type { AccountView } from '../../../preload/shared/contract.ts';
import type { TokenProvider } from '../auth/token-provider.ts';
import { assertTrustedGraphUrl } from '../graph/trusted-hosts.ts';
import { GraphClient } from '../graph/client.ts';
import { GraphTransport } from '../graph/transport.ts';
import { AccountPacer, type PacingLimits } from '../pacing/account-pacer.ts';
import { pacerAdmission } from '../pacing/pacer-admission.ts';

export interface AccountConfig {
  id: string;
  /** Graph root with version: https://graph.microsoft.com/v1.0, or the simulator's. */
  graphUrl: string;
  /** Who it is, for people: an email address, "Demo account"... */
  label: string;
  kind: AccountView['kind'];
}

/** One account as the engine runs it: its paced Graph client and whether it must sign in. */
export interface AccountRuntime {
  config: AccountConfig;
  pacer: AccountPacer;
  graph: GraphClient;
  /** The same account's requests, paced alike, answered unparsed (the connection check). */
  transport: GraphTransport;
  needsSignIn: boolean;
}

export function accountView(account: AccountRuntime): AccountView {
  const { id, label, kind } = account.config;
  return { id, label, kind, signedIn: !account.needsSignIn };
}

/** A probe's request is a few bytes: a minute without an answer is a failure to report. */
const probeTimeoutMs = 60_000;

export function createAccountRuntime(
  config: AccountConfig,
  deps: { tokens: TokenProvider; limits: PacingLimits; fetch: typeof fetch; now: () => number },
): AccountRuntime {
  // Every shell's accounts come through here: no token leaves for a host it must not reach.
  assertTrustedGraphUrl(config.graphUrl);
  const pacer = new AccountPacer(deps.limits, deps.now);
  const requests = {
    graphUrl: config.graphUrl,
    getAccessToken: (options: { forceRefresh: boolean }) =>
      deps.tokens.getAccessToken(config.id, options),
    fetch: deps.fetch,
    admission: pacerAdmission(pacer, deps.now),
    now: deps.now,
  };
  const graph = new GraphClient(requests);
  const transport = new GraphTransport({ ...requests, requestTimeoutMs: probeTimeoutMs });
  return { config, pacer, graph, transport, needsSignIn: false };
}
