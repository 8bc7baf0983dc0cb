--[[
  Writes a turn's `turn-start` control record and marks the turn in flight, so that
  GET /api/chat/:id/stream knows where to replay from. Idempotent on the write sequence.
  A turn started by a run that was already holding the chat (a message read during the warm wait)
  counts that run as the turn's first attempt (claim-session.lua counts the runs after it).

  Input:
    KEYS[1] session hash
    KEYS[2] output stream
    ARGV[1] epoch
    ARGV[2] output wake channel
    ARGV[3] length of the output stream past which the turns before this one are trimmed
    ARGV[4] turn-start record JSON
    ARGV[5] now (ms)
    ARGV[6] write sequence of the holder

  Output:
    {0, turnStartEntryId}
    {0, ''}  a duplicate of a write already done
    {-2}  lease lost
]]
local rcall = redis.call

if rcall('HGET', KEYS[1], 'epoch') ~= ARGV[1] then
  return {-2}
end
if tonumber(rcall('HGET', KEYS[1], 'writeSeq') or '0') >= tonumber(ARGV[6]) then
  return {0, ''}
end
rcall('HSET', KEYS[1], 'writeSeq', ARGV[6])
local id = rcall('XADD', KEYS[2], '*', 'k', ARGV[4])
if rcall('XLEN', KEYS[2]) > tonumber(ARGV[3]) then
  rcall('XTRIM', KEYS[2], 'MINID', id)
end
rcall('HSET', KEYS[1], 'activeTurn', id, 'updatedAt', ARGV[5])
if tonumber(rcall('HGET', KEYS[1], 'attempts') or '0') < 1 then
  rcall('HSET', KEYS[1], 'attempts', 1)
end
rcall('PUBLISH', ARGV[2], id)
return {0, id}
