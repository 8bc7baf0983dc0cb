--[[
  Hands a chat back to the queue: a draining worker at a turn boundary, or a run that failed or was
  cancelled (then a turn may be in flight: the next holder recovers it). The chat goes to `queued`
  with a new run sequence, which the caller enqueues; any worker continues it. The attempt count is
  kept: a run that took on the pending work and did not finish it was an attempt.

  Input:
    KEYS[1] session hash
    KEYS[2] lease key
    ARGV[1] epoch
    ARGV[2] now (ms)
    ARGV[3] read cursor: every input record up to it is handled; '' keeps the stored one, and so
            does a cursor behind it: a turn completion that executed while its reply was lost (a
            stalled or reset connection) moved the stored cursor past what the failing run
            knows, and moving it back would answer that message a second time

  Output:
    {0, runSeqToEnqueue}
    {-2}  lease lost
]]
local rcall = redis.call

-- Whether stream id `a` comes after stream id `b` ('<ms>-<seq>'; ms fits a double exactly).
local function isAfter(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b or '0-0', '^(%d+)-(%d+)$')
  if not bm then return true end
  return tonumber(am) > tonumber(bm) or (am == bm and tonumber(as) > tonumber(bs))
end

if rcall('HGET', KEYS[1], 'epoch') ~= ARGV[1] then
  return {-2}
end
local runSeq = rcall('HINCRBY', KEYS[1], 'runSeq', 1)
rcall('HSET', KEYS[1], 'status', 'queued', 'holder', '', 'queuedAt', ARGV[2], 'updatedAt', ARGV[2])
if ARGV[3] ~= '' and isAfter(ARGV[3], rcall('HGET', KEYS[1], 'inputCursor')) then
  rcall('HSET', KEYS[1], 'inputCursor', ARGV[3])
end
rcall('DEL', KEYS[2])
return {0, runSeq}
