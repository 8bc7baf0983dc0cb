import { runTranscriptStorageTests } from '../testing/transcript-storage-tests.ts';
import { memoryTranscriptStorage } from './memory-transcript-storage.ts';

runTranscriptStorageTests(() => memoryTranscriptStorage(), { name: 'memoryTranscriptStorage' });
