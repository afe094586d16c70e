import { describe, expect, it } from 'vitest';
import { appOverrides } from '../../main/app/launch-settings.ts';

const simulator = {
  TASKDROP_GRAPH_URL: 'http://127.0.0.1:4100/v1.0/',
  TASKDROP_LOGIN_SERVICE: 'http://127.0.0.1:4100',
};

describe('what the environment changes for the app', () => {
  it('takes a data folder of its own, packaged or not', () => {
    for (const packaged of [true, false]) {
      expect(appOverrides({ TASKDROP_DATA_DIR: ' /tmp/q ' }, packaged)).toEqual({
        dataDir: '/tmp/q',
        ignored: [],
      });
    }
    expect(appOverrides({ TASKDROP_DATA_DIR: '  ' }, false)).toEqual({ ignored: [] });
  });

  it('points an unpackaged run at a simulator on loopback', () => {
    expect(appOverrides(simulator, false)).toEqual({
      graphUrl: 'http://127.0.0.1:4100/v1.0',
      loginServiceOrigin: 'http://127.0.0.1:4100',
      ignored: [],
    });
  });

  it('never lets the installed app, or any run, talk to another host through them', () => {
    expect(appOverrides(simulator, true)).toEqual({
      ignored: [
        'TASKDROP_GRAPH_URL is for tests and is ignored by the installed app.',
        'TASKDROP_LOGIN_SERVICE is for tests and is ignored by the installed app.',
      ],
    });
    expect(
      appOverrides(
        {
          TASKDROP_GRAPH_URL: 'https://graph.example.com/v1.0',
          TASKDROP_LOGIN_SERVICE: 'http://10.0.0.1:80',
        },
        false,
      ),
    ).toEqual({
      ignored: [
        'TASKDROP_GRAPH_URL must be a loopback http:// address (a simulator).',
        'TASKDROP_LOGIN_SERVICE must be a loopback http:// address (a simulator).',
      ],
    });
  });
});
