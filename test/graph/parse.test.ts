import { describe, expect, it } from 'vitest';
import {
  field,
  nextOffset,
  parseAttachment,
  parseByteRange,
  parseCollectionPage,
  parseGraphErrorBody,
  parseRanges,
  parseSessionState,
  parseTask,
  parseTimestamp,
  unwrapEntity,
} from '../../main/core/graph/parse.ts';
import { attachmentIdFromLocation, uploadContentUrl } from '../../main/core/graph/urls.ts';

describe('byte ranges', () => {
  it('reads the bare offset Graph sends on intermediate PUTs', () => {
    expect(parseByteRange('2097152')).toEqual({ start: 2097152, end: null });
  });

  it('reads the open form of a new session', () => {
    expect(parseByteRange('0-')).toEqual({ start: 0, end: null });
  });

  it('reads a closed range with its inclusive end', () => {
    expect(parseByteRange('1998457-2097094')).toEqual({ start: 1998457, end: 2097094 });
  });

  it('refuses text that is not a range', () => {
    for (const text of ['', '-5', 'abc', '5-3', '1-2-3', '1.5', '99999999999999999999']) {
      expect(parseByteRange(text), text).toBeNull();
    }
  });

  it('keeps the readable ranges of a list and accepts a lone string', () => {
    expect(parseRanges(['0-99', 'junk', '200'])).toEqual([
      { start: 0, end: 99 },
      { start: 200, end: null },
    ]);
    expect(parseRanges('42')).toEqual([{ start: 42, end: null }]);
    expect(parseRanges(undefined)).toEqual([]);
    expect(parseRanges([7])).toEqual([]);
  });

  it('names the next offset, or null when the server said nothing', () => {
    expect(nextOffset([{ start: 300, end: null }])).toBe(300);
    expect(nextOffset([])).toBeNull();
  });
});

describe('key casing', () => {
  it('matches exactly first, then case-insensitively', () => {
    expect(field({ NextExpectedRanges: ['5'] }, 'nextExpectedRanges')).toEqual(['5']);
    expect(field({ a: 1, A: 2 }, 'A')).toBe(2);
    expect(field({ a: 1 }, 'b')).toBeUndefined();
  });

  it('reads PascalCase and camelCase session answers alike', () => {
    const pascal = parseSessionState({
      ExpirationDateTime: '2022-06-09T10:45:27.4324526Z',
      NextExpectedRanges: ['2097152'],
    });
    const camel = parseSessionState({
      expirationDateTime: '2022-06-09T10:45:27.4324526Z',
      nextExpectedRanges: ['2097152'],
    });
    expect(pascal).toEqual({
      expiresAt: Date.UTC(2022, 5, 9, 10, 45, 27, 432),
      nextExpectedRanges: [{ start: 2097152, end: null }],
    });
    expect(camel).toEqual(pascal);
  });
});

describe('timestamps', () => {
  it('reads seven fractional digits and treats a zoneless time as UTC', () => {
    expect(parseTimestamp('2020-08-18T12:51:51')).toBe(Date.UTC(2020, 7, 18, 12, 51, 51));
    expect(parseTimestamp('2020-08-18T12:51:51.1234567+02:00')).toBe(
      Date.UTC(2020, 7, 18, 10, 51, 51, 123),
    );
  });

  it('returns null for anything unreadable', () => {
    expect(parseTimestamp('soon')).toBeNull();
    expect(parseTimestamp(17)).toBeNull();
  });
});

describe('entities', () => {
  it('unwraps the single entity GA wraps in "value"', () => {
    expect(unwrapEntity({ value: { id: 'a' } })).toEqual({ id: 'a' });
    expect(unwrapEntity({ id: 'b', value: { id: 'c' } })).toEqual({ id: 'b', value: { id: 'c' } });
  });

  it('reads attachment metadata and defaults the content type', () => {
    expect(parseAttachment({ id: 'AAM=', name: 'a.pdf', size: 12 })).toEqual({
      id: 'AAM=',
      name: 'a.pdf',
      size: 12,
      contentType: 'application/octet-stream',
      lastModifiedDateTime: null,
    });
    expect(parseAttachment({ id: 'x', size: '4096' })?.size).toBe(4096);
  });

  it('refuses an entity without an id', () => {
    expect(parseTask({ title: 'no id' })).toBeNull();
    expect(parseAttachment('string')).toBeNull();
  });

  it('reads a collection page with its links, and refuses one without a value array', () => {
    expect(
      parseCollectionPage({ value: [], '@odata.nextLink': 'https://graph.microsoft.com/n' }),
    ).toEqual({ items: [], nextLink: 'https://graph.microsoft.com/n', deltaLink: null });
    expect(parseCollectionPage({ value: {} })).toBeNull();
  });
});

describe('Graph error bodies', () => {
  it('reads code, message and ids from innerError', () => {
    const text = JSON.stringify({
      error: {
        code: 'invalidRange',
        message: 'The byte range is invalid.',
        innerError: { 'request-id': 'r-1', 'client-request-id': 'c-1', date: '2020-01-01' },
      },
    });
    expect(parseGraphErrorBody(text)).toEqual({
      code: 'invalidRange',
      message: 'The byte range is invalid.',
      requestId: 'r-1',
      clientRequestId: 'c-1',
    });
  });

  it('accepts lowercase innererror and finds ids in a nested level', () => {
    const text = JSON.stringify({
      error: { code: 'TooManyRequests', innererror: { innerError: { 'request-id': 'deep' } } },
    });
    expect(parseGraphErrorBody(text)).toMatchObject({ code: 'TooManyRequests', requestId: 'deep' });
  });

  it('tolerates bodies that are not Graph errors', () => {
    const empty = { code: null, message: null, requestId: null, clientRequestId: null };
    for (const text of ['', '<html>Bad Gateway</html>', '[]', '{"error":"flat"}', 'null']) {
      expect(parseGraphErrorBody(text), text).toEqual(empty);
    }
  });
});

describe('upload content URL', () => {
  const base =
    'https://graph.microsoft.com/v1.0/users/6f9a/todo/lists/L/tasks/T/attachmentSessions/S';

  it('appends /content', () => {
    expect(uploadContentUrl(base)).toBe(`${base}/content`);
  });

  it('leaves a URL that already ends with /content alone', () => {
    expect(uploadContentUrl(`${base}/content`)).toBe(`${base}/content`);
    expect(uploadContentUrl(`${base}/content?x=1`)).toBe(`${base}/content?x=1`);
  });

  it('inserts /content before the query string and drops a trailing slash', () => {
    expect(uploadContentUrl(`${base}?token=a/b`)).toBe(`${base}/content?token=a/b`);
    expect(uploadContentUrl(`${base}/`)).toBe(`${base}/content`);
  });

  it('does not mistake a segment that merely ends in "content" for /content', () => {
    expect(uploadContentUrl(`${base}content`)).toBe(`${base}content/content`);
  });
});

describe('attachment id from Location', () => {
  const prefix = 'https://graph.microsoft.com/beta/users/6f9a/todo/lists/L/tasks/T/Attachments/';

  it('takes the last path segment', () => {
    expect(attachmentIdFromLocation(`${prefix}AAMkAGE1`)).toBe('AAMkAGE1');
  });

  it('URL-decodes it (ids end in "=")', () => {
    expect(attachmentIdFromLocation(`${prefix}AAMk%2BAG%3D%3D`)).toBe('AAMk+AG==');
    expect(attachmentIdFromLocation(`${prefix}AAMkAG==`)).toBe('AAMkAG==');
  });

  it('ignores a query string and a trailing slash, and reads relative locations', () => {
    expect(attachmentIdFromLocation(`${prefix}id1?x=y`)).toBe('id1');
    expect(attachmentIdFromLocation(`${prefix}id2/`)).toBe('id2');
    expect(attachmentIdFromLocation('/v1.0/users/u/todo/lists/L/tasks/T/Attachments/id3')).toBe(
      'id3',
    );
  });

  it("reads the Outlook-style Attachments('id') form", () => {
    expect(attachmentIdFromLocation("https://outlook.office.com/api/Attachments('AAM%3D')")).toBe(
      'AAM=',
    );
  });

  it('keeps a malformed escape as it is and returns null for an empty path', () => {
    expect(attachmentIdFromLocation(`${prefix}bad%zz`)).toBe('bad%zz');
    expect(attachmentIdFromLocation('https://graph.microsoft.com/')).toBeNull();
  });
});
