import {
  type ControlRecord,
  controlRecordSchema,
  type InputEntry,
  inputRecordSchema,
  type OutputEntry,
} from '@baton/protocol';

/** An entry as ioredis returns it from XRANGE/XREAD: `[id, [field, value, ...]]`. */
export type RawStreamEntry = [id: string, fields: string[]];

/** Output entries store a chunk under `c` (JSON text kept as is) or a control record under `k`. */
export const OUTPUT_CHUNK_FIELD = 'c';
export const OUTPUT_CONTROL_FIELD = 'k';
export const INPUT_RECORD_FIELD = 'r';

export function parseOutputEntry([id, fields]: RawStreamEntry): OutputEntry {
  const [field, value] = fields;
  if (field === OUTPUT_CHUNK_FIELD && value !== undefined) {
    return { id, type: 'chunk', json: value };
  }
  if (field === OUTPUT_CONTROL_FIELD && value !== undefined) {
    return { id, type: 'control', record: controlRecordSchema.parse(JSON.parse(value)) };
  }
  throw new Error(`output entry ${id} has an unknown shape: ${fields.join(',').slice(0, 200)}`);
}

export function parseInputEntry([id, fields]: RawStreamEntry): InputEntry {
  const [field, value] = fields;
  if (field !== INPUT_RECORD_FIELD || value === undefined) {
    throw new Error(`input entry ${id} has an unknown shape`);
  }
  return { id, record: inputRecordSchema.parse(JSON.parse(value)) };
}

export function encodeControlRecord(record: ControlRecord): [string, string] {
  return [OUTPUT_CONTROL_FIELD, JSON.stringify(record)];
}

/** Compares two stream ids (`ms-seq`) numerically. */
export function compareStreamIds(left: string, right: string): number {
  const [leftMs = 0, leftSeq = 0] = left.split('-').map(Number);
  const [rightMs = 0, rightSeq = 0] = right.split('-').map(Number);
  return leftMs - rightMs || leftSeq - rightSeq;
}
