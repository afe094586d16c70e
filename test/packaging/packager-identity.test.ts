import { describe, expect, it } from 'vitest';
import { homepageOfRemote, packagerIdentity } from '../../scripts/packager-identity.ts';

const git = {
  userName: 'Ada Lovelace\n',
  userEmail: 'ada@example.org\n',
  remoteUrl: 'git@github.com:ada/taskdrop.git\n',
};

describe('who the installers name as their maintainer', () => {
  it('is the packager from the environment, before git', () => {
    expect(
      packagerIdentity(
        {
          TASKDROP_MAINTAINER: 'Grace Hopper <grace@example.net>',
          TASKDROP_HOMEPAGE: 'https://example.net/taskdrop',
        },
        git,
      ),
    ).toEqual({
      name: 'Grace Hopper',
      email: 'grace@example.net',
      homepage: 'https://example.net/taskdrop',
    });
  });

  it('is git’s user, with the origin remote as the homepage', () => {
    expect(packagerIdentity({}, git)).toEqual({
      name: 'Ada Lovelace',
      email: 'ada@example.org',
      homepage: 'https://github.com/ada/taskdrop',
    });
  });

  it('reads the usual remote forms as web addresses', () => {
    expect(homepageOfRemote('https://github.com/ada/taskdrop.git')).toBe(
      'https://github.com/ada/taskdrop',
    );
    expect(homepageOfRemote('ssh://git@gitlab.example.com/team/taskdrop.git')).toBe(
      'https://gitlab.example.com/team/taskdrop',
    );
    expect(homepageOfRemote('/srv/git/taskdrop.git')).toBeUndefined();
  });

  it('stops with both variables named when neither the environment nor git knows', () => {
    const unknown = (): unknown => packagerIdentity({}, {});
    expect(unknown).toThrow(/TASKDROP_MAINTAINER=.*TASKDROP_HOMEPAGE=/s);
    expect(unknown).toThrow(/No maintainer.*No homepage/);
    expect(() => packagerIdentity({ TASKDROP_HOMEPAGE: 'https://example.org' }, {})).toThrow(
      /^No maintainer: git has no user\.name and user\.email here\.\n.*TASKDROP_MAINTAINER.*TASKDROP_HOMEPAGE/s,
    );
    expect(() =>
      packagerIdentity(
        { TASKDROP_MAINTAINER: 'ada@example.org', TASKDROP_HOMEPAGE: 'https://x.org' },
        {},
      ),
    ).toThrow('TASKDROP_MAINTAINER is "ada@example.org", not "Name <e-mail>".');
  });
});
