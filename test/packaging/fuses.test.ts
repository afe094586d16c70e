import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultFuseWire, fuseProblems, packagedBinaries } from '../../scripts/package-layout.ts';

const dir = mkdtempSync(join(tmpdir(), 'taskdrop-fuses-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What `npm run dist` / `dist:dir` built on this machine, if anything (electron-builder.yml). */
const built = packagedBinaries(fileURLToPath(new URL('../../out/dist', import.meta.url)));
if (built.length === 0) {
  process.stdout.write('taskdrop: no packaged app in out/dist, so its fuses are not read back.\n');
}

describe("the binary's Electron fuses", () => {
  it("names each hardening fuse that an unflipped binary leaves at Electron's default", async () => {
    const binary = join(dir, 'electron');
    writeFileSync(binary, Buffer.concat([Buffer.alloc(64), defaultFuseWire(), Buffer.alloc(64)]));
    expect(await fuseProblems(binary)).toEqual([
      `fuse RunAsNode is true, not false, in ${binary}`,
      `fuse EnableCookieEncryption is false, not true, in ${binary}`,
      `fuse EnableNodeOptionsEnvironmentVariable is true, not false, in ${binary}`,
      `fuse EnableNodeCliInspectArguments is true, not false, in ${binary}`,
      `fuse EnableEmbeddedAsarIntegrityValidation is false, not true, in ${binary}`,
      `fuse OnlyLoadAppFromAsar is false, not true, in ${binary}`,
      `fuse GrantFileProtocolExtraPrivileges is true, not false, in ${binary}`,
    ]);
  });

  it.skipIf(built.length === 0)('are flipped in every app `npm run dist` built', async () => {
    for (const binary of built) expect(await fuseProblems(binary)).toEqual([]);
  });
});
