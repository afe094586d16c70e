import { execFileSync } from 'node:child_process';

/**
 * Who packages taskdrop: the deb names its maintainer and homepage, and the maintainer of a
 * package is whoever builds it. Never an identity of the repository's own: the packager's, from
 * the environment or from git.
 */
export const maintainerVariable = 'TASKDROP_MAINTAINER';
export const homepageVariable = 'TASKDROP_HOMEPAGE';

export interface PackagerIdentity {
  name: string;
  email: string;
  homepage: string;
}

/** What git knows here; a missing value (or no git at all) is undefined. */
export interface GitFacts {
  userName?: string | undefined;
  userEmail?: string | undefined;
  remoteUrl?: string | undefined;
}

const maintainerPattern = /^(.+?)\s*<([^<>\s@]+@[^<>\s@]+)>$/;

/** An origin remote as the project's web address: GitHub's and other forges' ssh and https forms. */
export function homepageOfRemote(remote: string): string | undefined {
  const scp = /^[\w.-]+@([\w.-]+):(.+?)(?:\.git)?\/?$/.exec(remote);
  if (scp !== null) return `https://${scp[1]}/${scp[2]}`;
  if (!URL.canParse(remote)) return undefined;
  const url = new URL(remote);
  if (!['https:', 'http:', 'ssh:', 'git:'].includes(url.protocol)) return undefined;
  const path = url.pathname.replace(/\.git\/?$/, '').replace(/\/$/, '');
  return path === '' ? undefined : `https://${url.hostname}${path}`;
}

function present(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === '' ? undefined : trimmed;
}

/**
 * The packager's name, e-mail and homepage; an Error naming both variables when one is not
 * known (or TASKDROP_MAINTAINER is not "Name <e-mail>").
 */
export function packagerIdentity(env: NodeJS.ProcessEnv, git: GitFacts): PackagerIdentity {
  const problems: string[] = [];
  let person: { name: string; email: string } | undefined;
  const maintainer = present(env[maintainerVariable]);
  if (maintainer !== undefined) {
    const match = maintainerPattern.exec(maintainer);
    if (match?.[1] === undefined || match[2] === undefined) {
      problems.push(`${maintainerVariable} is "${maintainer}", not "Name <e-mail>".`);
    } else {
      person = { name: match[1], email: match[2] };
    }
  } else {
    const name = present(git.userName);
    const email = present(git.userEmail);
    if (name !== undefined && email !== undefined) person = { name, email };
    else problems.push('No maintainer: git has no user.name and user.email here.');
  }
  const homepage =
    present(env[homepageVariable]) ??
    (git.remoteUrl === undefined ? undefined : homepageOfRemote(git.remoteUrl.trim()));
  if (homepage === undefined) problems.push('No homepage: git has no origin remote here.');
  if (person === undefined || homepage === undefined) {
    throw new Error(
      `${problems.join(' ')}\nThe installers name who packaged them and the project's homepage. ` +
        `Set ${maintainerVariable}="Your Name <you@example.org>" and ${homepageVariable}=` +
        `https://… (or git config user.name, user.email and an origin remote), then run it again.`,
    );
  }
  return { ...person, homepage };
}

function gitOutput(args: string[], cwd: string): string | undefined {
  try {
    return execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return undefined;
  }
}

export function gitFacts(cwd: string): GitFacts {
  return {
    userName: gitOutput(['config', 'user.name'], cwd),
    userEmail: gitOutput(['config', 'user.email'], cwd),
    remoteUrl: gitOutput(['remote', 'get-url', 'origin'], cwd),
  };
}
