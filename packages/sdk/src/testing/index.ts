export { MemorySession, type RecordedTurn } from './memory-session.ts';
