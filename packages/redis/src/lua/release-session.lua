--[[
  Hands a chat back to the queue at a turn boundary (a draining worker): the chat goes to `queued`
  with a new run sequence, which the caller enqueues; any worker continues it.

  Input:
    KEYS[1] session hash
    KEYS[2] lease key
    ARGV[1] epoch
    ARGV[2] now (ms)
    ARGV[3] read cursor: every input record up to it is handled

  Output:
    {0, runSeqToEnqueue}
    {-2}  lease lost
]]
local rcall = redis.call

if rcall('HGET', KEYS[1], 'epoch') ~= ARGV[1] then
  return {-2}
end
local runSeq = rcall('HINCRBY', KEYS[1], 'runSeq', 1)
rcall('HSET', KEYS[1], 'status', 'queued', 'holder', '', 'inputCursor', ARGV[3],
  'queuedAt', ARGV[2], 'updatedAt', ARGV[2])
rcall('DEL', KEYS[2])
return {0, runSeq}
