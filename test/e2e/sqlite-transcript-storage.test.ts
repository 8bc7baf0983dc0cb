import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTranscriptStorageTests } from '@baton/sdk/testing/storage-conformance';
import { sqliteTranscriptStorage } from './fixtures/sqlite-transcript-storage.ts';

// The documented example storage passes the conformance suite every storage should.
const directory = mkdtempSync(join(tmpdir(), 'baton-sqlite-conformance-'));
runTranscriptStorageTests(() => sqliteTranscriptStorage(join(directory, 'chats.db')), {
  name: 'sqliteTranscriptStorage',
  clientData: { userId: 'conformance' },
});
