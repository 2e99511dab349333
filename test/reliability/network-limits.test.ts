import { describe, expect, it } from 'vitest';
import { describeFetchTimeout, lowSpeedArgs, sshLimitEnv } from '../../src/repos/network-limits.js';

describe('limits of the git calls that talk to a remote', () => {
  it('ssh gets connect and keep-alive limits only when the user chose no ssh command', () => {
    expect(sshLimitEnv({}, '').GIT_SSH_COMMAND).toMatch(/^ssh .*ConnectTimeout=\d+.*ServerAliveInterval=\d+/);
    expect(sshLimitEnv({ GIT_SSH_COMMAND: 'ssh -i ~/.ssh/deploy' }, '')).toEqual({});
    expect(sshLimitEnv({ GIT_SSH: '/usr/local/bin/my-ssh' }, '')).toEqual({});
    expect(sshLimitEnv({}, 'ssh -F ~/.ssh/work-config\n')).toEqual({});
  });

  it('an http(s) transfer without progress fails after at most 60 s', () => {
    expect(lowSpeedArgs()).toEqual(['-c', 'http.lowSpeedLimit=1', '-c', 'http.lowSpeedTime=60']);
  });

  it('the timeout line names the operation, the remote and the limit', () => {
    expect(describeFetchTimeout('fetch', 'https://example.com/r.git', 90_000)).toBe(
      'git fetch of https://example.com/r.git did not finish within --fetch-timeout 1m30s; git was stopped',
    );
  });
});
