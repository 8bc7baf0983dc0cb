--[[
  The reconciler's repair of a chat that the pool lost (docs/architecture.md, "Custody"): a chat
  `queued` whose job is gone, or `running` whose holder's lease ran out more than a grace ago (its
  job ended, failed or was lost while the status still said a worker had it). The chat goes back
  to `queued` under a new run sequence, which the caller enqueues; the epoch is bumped too, so a
  holder that was only slow can write nothing more, and an old job, if it ever runs, is stale.
  Nothing happens unless the chat is still exactly as the reconciler saw it.

  Input:
    KEYS[1] session hash
    KEYS[2] lease key
    ARGV[1] status the reconciler saw ('queued' or 'running')
    ARGV[2] run sequence the reconciler saw
    ARGV[3] now (ms)
    ARGV[4] grace (ms): how long a `running` chat's lease must have been gone

  Output:
    {0, runSeqToEnqueue}
    {1}   nothing to repair: the chat changed, or its lease is live or ran out too recently
    {-1}  no such session
]]
local rcall = redis.call

local fields = rcall('HMGET', KEYS[1], 'status', 'runSeq', 'leaseExpiresAt')
if not fields[1] then
  return {-1}
end
if fields[1] ~= ARGV[1] or tonumber(fields[2]) ~= tonumber(ARGV[2]) then
  return {1}
end
if rcall('PTTL', KEYS[2]) > 0 then
  return {1}
end
if ARGV[1] == 'running' and
    (tonumber(fields[3] or '0') or 0) + tonumber(ARGV[4]) > tonumber(ARGV[3]) then
  return {1}
end

rcall('HINCRBY', KEYS[1], 'epoch', 1)
local runSeq = rcall('HINCRBY', KEYS[1], 'runSeq', 1)
rcall('HSET', KEYS[1], 'status', 'queued', 'holder', '', 'queuedAt', ARGV[3], 'updatedAt', ARGV[3])
return {0, runSeq}
