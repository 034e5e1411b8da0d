import { isUUID } from 'class-validator';
import { type JobState } from './jobs.types';

/** What a client sends: `{"action": "subscribe", "id": "<job id>"}` (or "unsubscribe"). */
export interface ClientMessage {
  action: 'subscribe' | 'unsubscribe';
  id: string;
}

/** What the server sends: a job's state, now and on every change, or an error. */
export type ServerMessage =
  | { type: 'job'; job: JobState }
  | { type: 'error'; error: { code: string; message: string; id?: string } };

/** The Nest event every frame that is not a ClientMessage is routed to. */
export const BAD_MESSAGE = 'bad_message';

function isClientMessage(value: unknown): value is ClientMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }
  const { action, id, ...rest } = value as Record<string, unknown>;
  return (
    Object.keys(rest).length === 0 &&
    (action === 'subscribe' || action === 'unsubscribe') &&
    typeof id === 'string' &&
    isUUID(id)
  );
}

/**
 * The WsAdapter's message parser (app.setup.ts). Nest routes a frame to the
 * `@SubscribeMessage(event)` handler named by `{ event, data }`; this protocol has no such
 * envelope, so `{ action, id }` becomes `{ event: action, data: id }`, and anything else
 * (binary frames, broken JSON, unknown actions or fields, an id that is not a UUID) goes to the
 * BAD_MESSAGE handler, which answers with an error instead of Nest's silence.
 */
export function parseClientMessage(frame: unknown): { event: string; data: unknown } {
  let message: unknown;
  try {
    message = typeof frame === 'string' ? JSON.parse(frame) : undefined;
  } catch {
    message = undefined;
  }
  return isClientMessage(message)
    ? { event: message.action, data: message.id }
    : { event: BAD_MESSAGE, data: null };
}
