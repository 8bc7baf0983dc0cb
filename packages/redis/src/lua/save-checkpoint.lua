--[[
  Checkpoints between turns what the agent changed after its turn completed (`chat.history`
  edits, `chat.local` values or `chat.inject` messages of `onTurnComplete` or `chat.defer` work):
  the changed tail of the UI messages and the agent state. Fenced by the holder's epoch and
  idempotent on its write sequence, as complete-turn.lua.

  Input:
    KEYS[1] session hash
    KEYS[2] messages list
    ARGV[1] epoch
    ARGV[2] now (ms)
    ARGV[3] write sequence of the holder
    ARGV[4] number of stored messages to keep; the rest is replaced by ARGV[6..]
    ARGV[5] the agent state JSON; '' keeps the stored one
    ARGV[6..] UI message JSONs to append

  Output:
    {0}  saved, or a duplicate of a write already done
    {-2}  lease lost
]]
local rcall = redis.call

if rcall('HGET', KEYS[1], 'epoch') ~= ARGV[1] then
  return {-2}
end
if tonumber(rcall('HGET', KEYS[1], 'writeSeq') or '0') >= tonumber(ARGV[3]) then
  return {0}
end
rcall('HSET', KEYS[1], 'writeSeq', ARGV[3], 'updatedAt', ARGV[2])

local keep = tonumber(ARGV[4])
if keep == 0 then
  rcall('DEL', KEYS[2])
else
  rcall('LTRIM', KEYS[2], 0, keep - 1)
end
for i = 6, #ARGV do
  rcall('RPUSH', KEYS[2], ARGV[i])
end
if ARGV[5] ~= '' then
  rcall('HSET', KEYS[1], 'agentState', ARGV[5])
end
return {0}
