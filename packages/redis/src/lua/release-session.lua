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
    ARGV[3] read cursor: every input record up to it is handled; '' keeps the stored one

  Output:
    {0, runSeqToEnqueue}
    {-2}  lease lost
]]
local rcall = redis.call

if rcall('HGET', KEYS[1], 'epoch') ~= ARGV[1] then
  return {-2}
end
local runSeq = rcall('HINCRBY', KEYS[1], 'runSeq', 1)
rcall('HSET', KEYS[1], 'status', 'queued', 'holder', '', 'queuedAt', ARGV[2], 'updatedAt', ARGV[2])
if ARGV[3] ~= '' then
  rcall('HSET', KEYS[1], 'inputCursor', ARGV[3])
end
rcall('DEL', KEYS[2])
return {0, runSeq}
