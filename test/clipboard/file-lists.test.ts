import { describe, expect, it } from 'vitest';
import {
  electronTypesOf,
  fileUrlToPath,
  parseDropFiles,
  parseFileNameW,
  parseFilenamesPlist,
  parseGnomeCopiedFiles,
  parseUriList,
  pathsInFormat,
} from '../../main/core/clipboard/file-lists.ts';
import { pathsInText } from '../../main/core/clipboard/pasted-text.ts';
import { isUnnamedClipboardImage, screenshotName } from '../../preload/shared/screenshot-name.ts';

/** CF_HDROP as Explorer writes it: DROPFILES (pFiles 20, pt 0,0, fNC 0, fWide), then the list. */
function dropFiles(paths: string[], wide = true): Uint8Array {
  const list = `${paths.join('\0')}\0\0`;
  const body = wide ? Buffer.from(list, 'utf16le') : Buffer.from(list, 'latin1');
  const header = Buffer.alloc(20);
  header.writeUInt32LE(20, 0);
  header.writeUInt32LE(wide ? 1 : 0, 16);
  return Buffer.concat([header, body]);
}

describe('file lists on the clipboard, per OS', () => {
  it('reads Linux file managers: GNOME’s copied files and the URI list', () => {
    expect(
      parseGnomeCopiedFiles(
        'copy\nfile:///home/ada/Scans/Rechnung%20M%C3%A4rz.pdf\nfile:///home/ada/a%23b.png',
        'linux',
      ),
    ).toEqual(['/home/ada/Scans/Rechnung März.pdf', '/home/ada/a#b.png']);
    expect(parseGnomeCopiedFiles('cut\r\nfile:///tmp/x.txt\r\n', 'linux')).toEqual(['/tmp/x.txt']);
    // Not GNOME's format: no action line.
    expect(parseGnomeCopiedFiles('file:///tmp/x.txt', 'linux')).toEqual([]);
    expect(
      parseUriList(
        '# copied by Dolphin\r\nfile:///home/ada/one.pdf\r\nhttps://example.com/page\r\n\r\nfile:///home/ada/two%20words.pdf\r\n',
        'linux',
      ),
    ).toEqual(['/home/ada/one.pdf', '/home/ada/two words.pdf']);
    // A file URL naming another host is no file here.
    expect(parseUriList('file://server/share/x.pdf', 'linux')).toEqual([]);
  });

  it('reads Windows Explorer: CF_HDROP, wide and ANSI, and FileNameW', () => {
    const paths = ['C:\\Users\\Ada\\Documents\\Rechnung März.pdf', '\\\\nas\\scans\\page 1.tif'];
    expect(parseDropFiles(dropFiles(paths))).toEqual(paths);
    expect(parseDropFiles(dropFiles(['C:\\scan.pdf'], false))).toEqual(['C:\\scan.pdf']);
    expect(parseDropFiles(new Uint8Array(8))).toEqual([]);
    const offsetPastEnd = Buffer.alloc(20);
    offsetPastEnd.writeUInt32LE(4_000, 0);
    expect(parseDropFiles(offsetPastEnd)).toEqual([]);
    expect(parseFileNameW(Buffer.from('C:\\Users\\Ada\\x.pdf\0', 'utf16le'))).toEqual([
      'C:\\Users\\Ada\\x.pdf',
    ]);
    expect(parseFileNameW(new Uint8Array(0))).toEqual([]);
    expect(pathsInFormat('CF_HDROP', dropFiles(paths), 'win32')).toEqual(paths);
  });

  it('reads macOS Finder: the filenames property list and public.file-url', () => {
    const plist = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<array>
	<string>/Users/ada/Desktop/Q&amp;A &lt;draft&gt;.pdf</string>
	<string>/Users/ada/Desktop/caf&#233;.png</string>
</array>
</plist>`;
    expect(parseFilenamesPlist(plist)).toEqual([
      '/Users/ada/Desktop/Q&A <draft>.pdf',
      '/Users/ada/Desktop/café.png',
    ]);
    expect(parseFilenamesPlist('<plist><dict/></plist>')).toEqual([]);
    expect(
      pathsInFormat(
        'public.file-url',
        new TextEncoder().encode('file:///Users/ada/Desktop/Screen%20Shot.png\0'),
        'darwin',
      ),
    ).toEqual(['/Users/ada/Desktop/Screen Shot.png']);
  });

  it('turns file URLs into paths of the OS they came from', () => {
    expect(fileUrlToPath('file:///C:/Users/Ada/x%20y.pdf', 'win32')).toBe(
      'C:\\Users\\Ada\\x y.pdf',
    );
    expect(fileUrlToPath('file://nas/scans/a.pdf', 'win32')).toBe('\\\\nas\\scans\\a.pdf');
    expect(fileUrlToPath('file:///tmp/a.pdf', 'linux')).toBe('/tmp/a.pdf');
    expect(fileUrlToPath('https://example.com/a.pdf', 'linux')).toBeNull();
    expect(pathsInFormat('unknown/format', new Uint8Array(4), 'linux')).toEqual([]);
  });

  it('names raw OS formats as Electron’s clipboard does, and MIME types as themselves too', () => {
    expect(electronTypesOf('CF_HDROP')).toEqual([
      'electron application/osclipboard;format="CF_HDROP"',
    ]);
    expect(electronTypesOf('image/png')).toEqual([
      'image/png',
      'electron application/osclipboard;format="image/png"',
    ]);
  });
});

describe('pasted text that names files', () => {
  it('takes lines that are each a path, quoted, a file URL or under ~', () => {
    expect(pathsInText('/home/ada/a.pdf\n  /home/ada/b c.pdf  \n', 'linux', '/home/ada')).toEqual([
      '/home/ada/a.pdf',
      '/home/ada/b c.pdf',
    ]);
    expect(pathsInText('"C:\\Users\\Ada\\Scan 1.pdf"', 'win32', 'C:\\Users\\Ada')).toEqual([
      'C:\\Users\\Ada\\Scan 1.pdf',
    ]);
    expect(pathsInText("'/tmp/it''s.pdf'", 'linux', '/home/ada')).toEqual(["/tmp/it''s.pdf"]);
    expect(pathsInText('~/Scans/x.pdf', 'darwin', '/Users/ada')).toEqual([
      '/Users/ada/Scans/x.pdf',
    ]);
    expect(pathsInText('file:///tmp/a%20b.pdf', 'linux', '/home/ada')).toEqual(['/tmp/a b.pdf']);
    expect(pathsInText('/tmp/a.pdf\n/tmp/a.pdf', 'linux', '/home/ada')).toEqual(['/tmp/a.pdf']);
  });

  it('takes no paths from prose, relative names, or the other OS’s paths', () => {
    expect(pathsInText('Pay /tmp/a.pdf by Friday', 'linux', '/home/ada')).toEqual([]);
    expect(pathsInText('/tmp/a.pdf\nand this one', 'linux', '/home/ada')).toEqual([]);
    expect(pathsInText('invoice.pdf', 'linux', '/home/ada')).toEqual([]);
    expect(pathsInText('C:\\x.pdf', 'linux', '/home/ada')).toEqual([]);
    expect(pathsInText('/tmp/x.pdf', 'win32', 'C:\\Users\\Ada')).toEqual([]);
    expect(pathsInText('   \n', 'linux', '/home/ada')).toEqual([]);
  });
});

describe('the names of pasted images', () => {
  // 3 December 2026, 17:44:05 local time; single digits padded.
  const at = new Date(2026, 11, 3, 17, 44, 5);
  it('are the ones each OS’s screenshot tool gives', () => {
    expect(screenshotName(at, 'darwin')).toBe('Screenshot 2026-12-03 at 17.44.05.png');
    expect(screenshotName(at, 'win32')).toBe('Screenshot 2026-12-03 174405.png');
    expect(screenshotName(at, 'linux')).toBe('Screenshot from 2026-12-03 17-44-05.png');
    expect(screenshotName(new Date(2027, 0, 9, 8, 7, 6), 'darwin')).toBe(
      'Screenshot 2027-01-09 at 08.07.06.png',
    );
  });

  it('replace only the names a browser makes up for a bitmap', () => {
    expect(isUnnamedClipboardImage('image.png', 'image/png')).toBe(true);
    expect(isUnnamedClipboardImage('image.jpeg', 'image/jpeg')).toBe(true);
    expect(isUnnamedClipboardImage('holiday.png', 'image/png')).toBe(false);
    expect(isUnnamedClipboardImage('image.png', 'application/octet-stream')).toBe(false);
  });
});
