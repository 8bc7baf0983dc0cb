--[[
  Ends a turn atomically (docs/architecture.md, "Turn"): writes the checkpoint (the turn's changed
  tail of the accumulated UI messages: O(turn), not O(history)), advances the consumed input
  cursor, the turn count and the usage totals, appends the `turn-complete` record, and trims both
  streams. The output stream keeps the completed turn (from its `turn-start`) for late resumes and
  retried requests. The attempt count of claim-session.lua starts again from zero for the next
  turn. Idempotent on the write sequence.

  Input:
    KEYS[1] session hash
    KEYS[2] output stream
    KEYS[3] messages list
    KEYS[4] input stream
    ARGV[1] epoch
    ARGV[2] output wake channel
    ARGV[3] turn-complete record JSON
    ARGV[4] now (ms)
    ARGV[5] new input cursor: every input record up to it is handled
    ARGV[6] new turn count
    ARGV[7] total usage JSON
    ARGV[8] number of stored messages to keep; the rest is replaced by ARGV[11..]
    ARGV[9] write sequence of the holder
    ARGV[10] the agent state JSON (`chat.local`, queued injections); '' keeps the stored one
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
if tonumber(rcall('HGET', KEYS[1], 'writeSeq') or '0') >= tonumber(ARGV[9]) then
  return {0, ''}
end
rcall('HSET', KEYS[1], 'writeSeq', ARGV[9])

local keep = tonumber(ARGV[8])
if keep == 0 then
  rcall('DEL', KEYS[3])
else
  rcall('LTRIM', KEYS[3], 0, keep - 1)
end
for i = 11, #ARGV do
  rcall('RPUSH', KEYS[3], ARGV[i])
end
if ARGV[10] ~= '' then
  rcall('HSET', KEYS[1], 'agentState', ARGV[10])
end

local id = rcall('XADD', KEYS[2], '*', 'k', ARGV[3])
local turnStart = rcall('HGET', KEYS[1], 'activeTurn')
if turnStart and turnStart ~= '' then
  rcall('XTRIM', KEYS[2], 'MINID', turnStart)
end
rcall('HSET', KEYS[1], 'inputCursor', ARGV[5], 'turns', ARGV[6], 'usage', ARGV[7],
  'activeTurn', '', 'attempts', 0, 'updatedAt', ARGV[4])
rcall('XTRIM', KEYS[4], 'MINID', ARGV[5])
rcall('PUBLISH', ARGV[2], id)
return {0, id}
