--[[
  Ends a turn atomically (DESIGN.md section 4.3): writes the checkpoint (the turn's changed tail of
  the accumulated UI messages: O(turn), not O(history)), advances the consumed input cursor, the
  turn count and the usage totals, appends the `turn-complete` record, and trims both streams.
  The output stream keeps the completed turn (from its `turn-start`) for late resumes and retries.
  Idempotent on the write sequence.

  Input:
    KEYS[1] session hash
    KEYS[2] output stream
    KEYS[3] messages list
    KEYS[4] input stream
    ARGV[1] epoch
    ARGV[2] output wake channel
    ARGV[3] approximate max length of the output stream
    ARGV[4] turn-complete record JSON
    ARGV[5] now (ms)
    ARGV[6] new input cursor: every input record up to it is handled
    ARGV[7] new turn count
    ARGV[8] total usage JSON
    ARGV[9] number of stored messages to keep; the rest is replaced by ARGV[11..]
    ARGV[10] write sequence of the holder
    ARGV[11..] UI message JSONs to append

  Output:
    {0, turnCompleteEntryId}
    {0, ''}  a duplicate of a write already done
    {-2}  lease lost
]]
local rcall = redis.call

if rcall('HGET', KEYS[1], 'epoch') ~= ARGV[1] then
  return {-2}
end
if tonumber(rcall('HGET', KEYS[1], 'writeSeq') or '0') >= tonumber(ARGV[10]) then
  return {0, ''}
end
rcall('HSET', KEYS[1], 'writeSeq', ARGV[10])

local keep = tonumber(ARGV[9])
if keep == 0 then
  rcall('DEL', KEYS[3])
else
  rcall('LTRIM', KEYS[3], 0, keep - 1)
end
for i = 11, #ARGV do
  rcall('RPUSH', KEYS[3], ARGV[i])
end

local id = rcall('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'k', ARGV[4])
local turnStart = rcall('HGET', KEYS[1], 'activeTurn')
if turnStart and turnStart ~= '' then
  rcall('XTRIM', KEYS[2], 'MINID', turnStart)
end
rcall('HSET', KEYS[1], 'inputCursor', ARGV[6], 'turns', ARGV[7], 'usage', ARGV[8],
  'activeTurn', '', 'updatedAt', ARGV[5])
rcall('XTRIM', KEYS[4], 'MINID', ARGV[6])
rcall('PUBLISH', ARGV[2], id)
return {0, id}
