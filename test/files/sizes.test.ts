import { describe, expect, it } from 'vitest';
import { maxAttachmentBytes } from '../../preload/shared/limits.ts';
import { formatBytes, tooLargeMessage } from '../../preload/shared/sizes.ts';
import { formatBytes as cliFormatBytes } from '../../main/cli/format.ts';
import { formatBytes as appFormatBytes } from '../../renderer/lib/format.ts';

describe('one size unit, in the app, the CLI and the refusals', () => {
  it('counts 1,024 bytes to the KB and 1,048,576 to the MB, the way the limit is written', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(1023)).toBe('1023 bytes');
    expect(formatBytes(1024)).toBe('1.0 KB');
    expect(formatBytes(921_600)).toBe('900 KB');
    expect(formatBytes(1_258_291)).toBe('1.2 MB');
    // The limit itself, and a file of exactly the limit, read as To Do writes it.
    expect(formatBytes(maxAttachmentBytes)).toBe('25.0 MB');
    expect(cliFormatBytes(maxAttachmentBytes)).toBe('25.0 MB');
    expect(appFormatBytes(maxAttachmentBytes)).toBe('25.0 MB');
  });

  it('says by how much a file is over the limit, and what to do next', () => {
    expect(tooLargeMessage('huge.mov', maxAttachmentBytes + 1)).toBe(
      'huge.mov is 25.0 MB, 1 byte over the 25.0 MB To Do accepts per attachment. Compress or split it, then add it again.',
    );
    expect(tooLargeMessage('film.mp4', 40 * 1_048_576)).toContain('is 40.0 MB, 15.0 MB over');
  });
});
