/**
 * One small upload to the scratch task, watched step by step: the intermediate answer's casing,
 * asking the session, listing sessions, a range sent again, the final 201's Location.
 */
import type { FactFinding, ServiceFactId } from '../../../preload/shared/contract.ts';
import { isGraphError } from '../graph/errors.ts';
import { nextOffset, parseJsonObject } from '../graph/parse.ts';
import { attachmentIdFromLocation, uploadContentUrl } from '../graph/urls.ts';
import { evidenceOf, finding, refusalText, untold } from './facts.ts';
import { patiently } from './patiently.ts';
import {
  isRefusal,
  refused,
  type Findings,
  type LearnedFacts,
  type Probe,
} from './probe-context.ts';

const probeFileName = 'taskdrop-self-check.bin';
/** Bytes of the probe upload: two ranges of ten. */
export const probeSize = 20;

const factsAfterFirstRange = [
  'intermediate-casing',
  'session-get',
  'session-list',
  'resend-answer',
  'location-header',
] as const satisfies readonly ServiceFactId[];

/** One small upload, watched step by step: casing, session GET and list, resend, Location. */
export async function probeUploadSession(probe: Probe): Promise<Findings> {
  const { graph, run, taskId, signal } = probe;
  const session = await patiently(signal, () =>
    graph.createUploadSession(
      run.listId,
      taskId,
      { name: probeFileName, size: probeSize, contentType: 'application/octet-stream' },
      { signal },
    ),
  );
  await probe.ledger.addSession(run, session.uploadUrl);
  const findings: Findings = {
    'session-lifetime': lifetimeFinding(session.expiresAt, probe.now()),
  };
  const bytes = Uint8Array.from({ length: probeSize }, (_, index) => index);
  const first = await putRange(probe, session.uploadUrl, bytes, 0, 10);
  if (first.kind === 'refused') {
    const reason = `the first range was refused (${first.text})`;
    for (const fact of factsAfterFirstRange) findings[fact] = untold(fact, reason);
    return findings;
  }
  findings['intermediate-casing'] = casingFinding(first.body, probe.learned);
  findings['session-get'] = await sessionGetFinding(probe, session.uploadUrl);
  findings['session-list'] = await sessionListFinding(probe);
  findings['resend-answer'] = resendFinding(
    await putRange(probe, session.uploadUrl, bytes, 0, 10),
    probe.learned,
  );
  findings['location-header'] = await locationFinding(
    probe,
    await putRange(probe, session.uploadUrl, bytes, 10, probeSize),
  );
  return findings;
}

type RangeAnswer =
  | { kind: 'accepted'; status: number; body: string; location: string | null }
  | { kind: 'refused'; error: unknown; text: string };

async function putRange(
  probe: Probe,
  uploadUrl: string,
  bytes: Uint8Array,
  start: number,
  end: number,
): Promise<RangeAnswer> {
  const { signal } = probe;
  try {
    const answer = await patiently(signal, () =>
      probe.transport.send({
        operation: 'uploadRange',
        method: 'PUT',
        url: uploadContentUrl(uploadUrl),
        bytes: bytes.slice(start, end),
        headers: {
          'Content-Type': 'application/octet-stream',
          'Content-Range': `bytes ${start}-${end - 1}/${bytes.byteLength}`,
        },
        signal,
        unreadBodyStatus: 201,
      }),
    );
    return {
      kind: 'accepted',
      status: answer.status,
      body: answer.bodyText,
      location: answer.headers.get('location'),
    };
  } catch (error) {
    if (!isGraphError(error) || error.status === null) throw error;
    return { kind: 'refused', error, text: refusalText(error) };
  }
}

function lifetimeFinding(expiresAt: number | null, now: number): FactFinding {
  if (expiresAt === null) return finding('session-lifetime', 'no expirationDateTime given', false);
  const minutes = Math.round((expiresAt - now) / 60_000);
  return finding('session-lifetime', `${minutes} minutes`, Math.abs(minutes - 15) <= 1);
}

function casingFinding(bodyText: string, learned: LearnedFacts): FactFinding {
  const body = parseJsonObject(bodyText);
  const keys = body === null ? [] : Object.keys(body);
  if (keys.includes('NextExpectedRanges')) {
    learned['intermediate-casing'] = 'pascal';
    return finding('intermediate-casing', 'PascalCase (NextExpectedRanges)', true);
  }
  if (keys.includes('nextExpectedRanges')) {
    learned['intermediate-casing'] = 'camel';
    return finding('intermediate-casing', 'camelCase (nextExpectedRanges)', false);
  }
  return finding(
    'intermediate-casing',
    `no next expected ranges (keys: ${keys.join(', ') || 'none'})`,
    false,
  );
}

async function sessionGetFinding(probe: Probe, uploadUrl: string): Promise<FactFinding> {
  const { signal } = probe;
  try {
    const state = await patiently(signal, () =>
      probe.graph.getUploadSession(uploadUrl, { signal }),
    );
    const offset = nextOffset(state.nextExpectedRanges);
    probe.learned['session-get'] = 'supported';
    return finding(
      'session-get',
      offset === null ? '200 without nextExpectedRanges' : `200 with nextExpectedRanges ${offset}-`,
      offset === 10,
    );
  } catch (error) {
    if (isRefusal(error)) probe.learned['session-get'] = 'unsupported';
    return refused('session-get', error);
  }
}

async function sessionListFinding(probe: Probe): Promise<FactFinding> {
  const { signal, run, taskId } = probe;
  try {
    const ids = await patiently(signal, () =>
      probe.graph.listUploadSessions(run.listId, taskId, { signal }),
    );
    probe.learned['session-list'] = 'supported';
    return finding('session-list', `200, ${ids.length} session(s) listed`, ids.length === 1);
  } catch (error) {
    if (isRefusal(error)) probe.learned['session-list'] = 'unsupported';
    return refused('session-list', error);
  }
}

function resendFinding(answer: RangeAnswer, learned: LearnedFacts): FactFinding {
  if (answer.kind === 'accepted')
    return finding('resend-answer', `accepted (${answer.status})`, false);
  const status = isGraphError(answer.error) ? answer.error.status : null;
  if (isRefusal(answer.error) && status !== null) learned['resend-answer'] = status;
  return finding(
    'resend-answer',
    `refused with ${answer.text}`,
    status === 416,
    evidenceOf(answer.error),
  );
}

async function locationFinding(probe: Probe, answer: RangeAnswer): Promise<FactFinding> {
  if (answer.kind === 'refused') return refused('location-header', answer.error);
  if (answer.status !== 201) return finding('location-header', `${answer.status}, not 201`, false);
  if (answer.location === null) {
    probe.learned['location-header'] = 'absent';
    return finding('location-header', '201 without Location', false);
  }
  probe.learned['location-header'] = 'present';
  const id = attachmentIdFromLocation(answer.location);
  const { signal, run, taskId } = probe;
  const attachments = await patiently(signal, () =>
    probe.graph.listAttachments(run.listId, taskId, { signal }),
  );
  const matches = attachments.some(
    (attachment) => attachment.id === id && attachment.size === probeSize,
  );
  return matches
    ? finding('location-header', '201, Location ends in the attachment id', true)
    : finding(
        'location-header',
        "201, Location's last segment is no attachment of the task",
        false,
        answer.location,
      );
}
