/**
 * Source and target of a run, resolved and checked for safety before any
 * connection to the target is opened: a remote target needs explicit
 * permission, and the source may never be the target.
 */
import type { EnvironmentSettings, Settings } from '../config/index.js';
import { resolveEndpoint } from '../config/index.js';
import { LOCAL_ENVIRONMENT } from '../config/index.js';
import { isLocalEndpoint, looksLikeSameDatabase, toEndpoint, type Endpoint } from './endpoint.js';
import { openClient, type Client } from './connect.js';
import { readServerIdentity, sameDatabase } from './server-identity.js';
import { SafetyError } from '../errors.js';
import type { ResourceScope } from '../scope.js';

export interface Endpoints {
  readonly source: Endpoint;
  readonly target: Endpoint;
}

export interface ResolvedEndpoints extends Endpoints {
  readonly environments: { readonly source: EnvironmentSettings; readonly target: EnvironmentSettings };
}

/**
 * Without a target the twin goes to the built-in `local` server: the first
 * use is a developer with a production URL and nothing installed.
 */
export function resolveEndpoints(settings: Settings, env: Readonly<Record<string, string | undefined>>): ResolvedEndpoints {
  const withTarget = settings.target === undefined || settings.target === '' ? { ...settings, target: LOCAL_ENVIRONMENT } : settings;
  const environments = { source: resolveEndpoint(withTarget, 'source'), target: resolveEndpoint(withTarget, 'target') };
  const source = toEndpoint(environments.source, 'source', env);
  const target = toEndpoint(environments.target, 'target', env);
  if (looksLikeSameDatabase(source, target)) throw sameDatabaseError(source, target);
  if (!isLocalEndpoint(target) && !settings.options.allowRemoteTarget) {
    throw new SafetyError(
      'REMOTE_TARGET',
      `The target ${target.display} is not on this machine; pgtwin writes only to local targets unless told otherwise.`,
      {
        nextStep:
          'If this server really is a disposable copy, pass --allow-remote-target or set options.allow_remote_target: true in pgtwin.yaml.',
      },
    );
  }
  return { source, target, environments };
}

export interface OpenEndpointsOptions {
  readonly signal?: AbortSignal | undefined;
  /** Steps taken to start an embedded server (creating, starting). */
  readonly onProgress?: ((message: string) => void) | undefined;
}

/**
 * resolveEndpoints, then every embedded environment started if it is not
 * running (and left running for the user), its URL completed with the
 * server's credentials. The display form never shows them.
 */
export async function openEndpoints(
  settings: Settings,
  env: Readonly<Record<string, string | undefined>>,
  options: OpenEndpointsOptions = {},
): Promise<Endpoints> {
  const resolved = resolveEndpoints(settings, env);
  const source = await startIfEmbedded(resolved.source, resolved.environments.source, env, options);
  const target = await startIfEmbedded(resolved.target, resolved.environments.target, env, options);
  return { source, target };
}

/** The target alone (status reads only the twin when no source is given; apply has no source); embedded servers are started. */
export async function openTargetEndpoint(
  settings: Settings,
  env: Readonly<Record<string, string | undefined>>,
  options: OpenEndpointsOptions = {},
): Promise<Endpoint> {
  const environment = targetEnvironment(settings);
  return startIfEmbedded(toEndpoint(environment, 'target', env), environment, env, options);
}

/** The target as it is shown (no password), without connecting or starting it: what `apply`'s pid file names. */
export function targetDisplay(settings: Settings, env: Readonly<Record<string, string | undefined>>): string {
  return toEndpoint(targetEnvironment(settings), 'target', env).display;
}

function targetEnvironment(settings: Settings): ReturnType<typeof resolveEndpoint> {
  const withTarget = settings.target === undefined || settings.target === '' ? { ...settings, target: LOCAL_ENVIRONMENT } : settings;
  return resolveEndpoint(withTarget, 'target');
}

/** The source alone (capture, setup-source, teardown: no twin to connect to); an embedded source is started. */
export async function openSourceEndpoint(
  settings: Settings,
  env: Readonly<Record<string, string | undefined>>,
  options: OpenEndpointsOptions = {},
): Promise<Endpoint> {
  const environment = resolveEndpoint(settings, 'source');
  return startIfEmbedded(toEndpoint(environment, 'source', env), environment, env, options);
}

/** An embedded environment's server started (and left running), its URL completed with the server's credentials; the display stays. */
async function startIfEmbedded(
  endpoint: Endpoint,
  environment: EnvironmentSettings,
  env: Readonly<Record<string, string | undefined>>,
  options: OpenEndpointsOptions,
): Promise<Endpoint> {
  if (environment.embedded === undefined) return endpoint;
  const server = await (
    await loadLocalServer()
  ).ensureLocalServer(environment.embedded, { signal: options.signal, onProgress: options.onProgress });
  return { ...toEndpoint({ ...environment, url: server.url }, endpoint.role, env), display: endpoint.display };
}

/**
 * The embedded server's code (src/local/: binaries, cluster, locks) is loaded
 * only by a run that uses one: every other sync would load it for nothing
 * before its first connection.
 */
function loadLocalServer(): Promise<typeof import('./local-server.js')> {
  return import('./local-server.js');
}

export interface ConnectedPair {
  readonly source: Client;
  readonly target: Client;
}

/** Opens one control session per side (source read-only) and checks they are different databases. */
export async function connectPair(endpoints: Endpoints, scope: ResourceScope, signal: AbortSignal | undefined): Promise<ConnectedPair> {
  // Both at once: each side's connection and authentication wait on its own server.
  const [opened, openedTarget] = await Promise.allSettled([
    openClient(endpoints.source, { readOnly: true, signal }),
    openClient(endpoints.target, { readOnly: false, signal }),
  ]);
  // Registered source first, as when they were opened one after the other, so released in reverse order.
  if (opened.status === 'fulfilled') scope.add(opened.value, (c) => c.end(), 'source session');
  if (openedTarget.status === 'fulfilled') scope.add(openedTarget.value, (c) => c.end(), 'target session');
  if (opened.status === 'rejected') throw opened.reason;
  if (openedTarget.status === 'rejected') throw openedTarget.reason;
  const source = opened.value;
  const target = openedTarget.value;
  const [a, b] = await Promise.all([readServerIdentity(source), readServerIdentity(target)]);
  if (sameDatabase(a, b)) throw sameDatabaseError(endpoints.source, endpoints.target);
  return { source, target };
}

function sameDatabaseError(source: Endpoint, target: Endpoint): SafetyError {
  return new SafetyError('SAME_DATABASE', `The target ${target.display} is the source database itself.`, {
    nextStep: 'Point --to at a different database (the twin), never at the source.',
  });
}
