import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { FolderBlobStore, MemoryBlobStore } from './blobs.ts';
import { SimClock } from './clock.ts';
import { SimulatorControl } from './control.ts';
import { FaultBook } from './faults.ts';
import { createIdentity } from './identity/index.ts';
import { guid } from './ids.ts';
import { MailboxGate, outlookLimits } from './limits.ts';
import { Observer } from './observer.ts';
import { loadSnapshot, saveSnapshot } from './persist.ts';
import { seededRandom } from './seeded-random.ts';
import { seedBuiltInLists, seedDemoContent } from './seed.ts';
import { createRequestListener, type ControlRoutes } from './server.ts';
import { SimStore } from './store.ts';
import { TokenBook } from './tokens.ts';
import type {
  PagingRules,
  SimulatorOptions,
  ThrottleRules,
  UploadRules,
  UserInfo,
} from './types.ts';
import { expandVariants, variantRules, type VariantName } from './variants.ts';

export const defaultUploadRules: UploadRules = {
  sessionLifetimeMs: 15 * 60_000,
  maxChunkBytes: 4 * 1024 * 1024,
  // The service's own limit, deliberately not taskdrop's constant (preload/shared/limits.ts): the
  // simulator is the other side, so what the app believes must not move the service with it.
  maxAttachmentBytes: 25 * 1024 * 1024,
  smallAttachmentLimitBytes: 3_000_000,
  requestBodyCapBytes: 4 * 1024 * 1024,
  createSessionStatus: 200,
  minSessionBytes: 0,
  sessionTooLarge: { status: 400, code: 'invalidRequest' },
  smallAttachmentTooLarge: { status: 400, code: 'invalidRequest' },
  rangeOutOfOrder: { status: 416, code: 'invalidRange' },
  sessionExpired: { status: 404, code: 'itemNotFound' },
  sessionGetRefusal: null,
  sessionListRefusal: null,
  intermediateCasing: 'pascal',
  emptyInlineRefusal: null,
};

/** The MailboxConcurrency 429 as several reports quote it (docs/graph-unknowns.md §3). */
export const defaultThrottleRules: ThrottleRules = {
  code: 'ApplicationThrottled',
  retryAfter: true,
};

export const defaultPagingRules: PagingRules = {
  defaultPageSize: 100,
  maxPageSize: 200,
  listsNextLinkOnlyWithTop: true,
};

/** A week: long enough for automation that starts a simulator and keeps its token. */
const testTokenLifetimeMs = 7 * 24 * 3_600_000;

export interface RunningSimulator {
  /** e.g. http://127.0.0.1:PORT/v1.0 */
  readonly graphUrl: string;
  /** e.g. http://127.0.0.1:PORT/_sim (absent routes when started without inspection) */
  readonly inspectUrl: string;
  readonly origin: string;
  readonly port: number;
  /** The default user (the one `/me` resolves to for testToken). */
  readonly user: UserInfo;
  /** A bearer token the simulator accepts for the default user. */
  readonly testToken: string;
  /** The service variants it runs (docs/simulator-variants.md), `pessimistic` spelled out. */
  readonly variants: readonly VariantName[];
  readonly control: SimulatorControl;
  close(): Promise<void>;
}

/**
 * Starts the simulator with the given /_sim routes, or none. Only startSimulator (index.ts) passes
 * them: demo mode imports this module, so a bundle of the app leaves the routes out.
 */
export async function launchSimulator(
  options: SimulatorOptions,
  controlRoutes: ControlRoutes | null,
): Promise<RunningSimulator> {
  const variants = variantRules(options.variants ?? []);
  const clock = new SimClock(options.now);
  const store = openStore(options, clock);
  const tokens = new TokenBook(() => clock.now());
  const gate = new MailboxGate({ ...outlookLimits, ...options.limits }, () => clock.now());
  const faults = new FaultBook(seededRandom(options.faultSeed ?? 1));
  const observer = new Observer();
  const identity = createIdentity({
    store,
    tokens,
    now: () => clock.now(),
    options: options.identity,
  });
  const control = new SimulatorControl({
    store,
    clock,
    faults,
    gate,
    tokens,
    observer,
    identity: identity.control,
    tokenLifetimeMs: options.tokenLifetimeMs ?? 3_600_000,
  });
  const server = serve(
    options,
    createRequestListener({
      store,
      clock,
      faults,
      gate,
      tokens,
      observer,
      control,
      identity,
      upload: { ...defaultUploadRules, ...variants.upload, ...options.upload },
      paging: { ...defaultPagingRules, ...variants.paging, ...options.paging },
      throttle: { ...defaultThrottleRules, ...variants.throttle, ...options.throttle },
      controlRoutes,
    }),
  );
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  const scheme = options.tls === undefined ? 'http' : 'https';
  const origin = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    graphUrl: `${origin}/v1.0`,
    inspectUrl: `${origin}/_sim`,
    origin,
    port,
    user: { ...store.defaultUser },
    testToken: tokens.issue(store.defaultUser.id, testTokenLifetimeMs).accessToken,
    variants: expandVariants(options.variants ?? []),
    control,
    close: () => close(server),
  };
}

function openStore(options: SimulatorOptions, clock: SimClock): SimStore {
  const { dataDir } = options;
  const blobs =
    dataDir === undefined
      ? new MemoryBlobStore(options.retainBytes ?? true)
      : new FolderBlobStore(dataDir);
  const save = dataDir === undefined ? () => undefined : saveSnapshot.bind(null, dataDir);
  const existing = dataDir === undefined ? undefined : loadSnapshot(dataDir);
  if (existing !== undefined)
    return new SimStore(existing, { blobs, save, now: () => clock.now() });
  const user = { id: guid(), userPrincipalName: 'demo@taskdrop.example', displayName: 'Demo User' };
  const store = new SimStore(SimStore.emptySnapshot(user), { blobs, save, now: () => clock.now() });
  if ((options.seed ?? 'demo') === 'demo') seedDemoContent(store, user.id);
  else store.batch(() => seedBuiltInLists(store, user.id));
  return store;
}

function serve(options: SimulatorOptions, listener: RequestListener): Server | HttpsServer {
  const keepAlive = { keepAliveTimeout: 5_000 };
  return options.tls === undefined
    ? createServer(keepAlive, listener)
    : createHttpsServer({ ...keepAlive, ...options.tls }, listener);
}

function listen(server: Server | HttpsServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server | HttpsServer): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error === undefined ? resolve() : reject(error)));
    server.closeAllConnections();
  });
}
