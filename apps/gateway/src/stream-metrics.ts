/**
 * What the gateway's SSE responses cost it, for a `/metrics` endpoint: one instance per process,
 * shared by every response. Plain numbers, so that an exporter reads them without a library here.
 */
export class StreamMetrics {
  /** Output-stream entries read for SSE responses since the process started (a counter). */
  outputEntriesRead = 0;
  /** SSE responses open now (a gauge). */
  openStreams = 0;
  /**
   * SSE responses whose client has not read what they hold (a gauge): each reads no more of the
   * output stream until its client reads on, so a slow client costs a bounded buffer.
   */
  streamsAwaitingClient = 0;
}
