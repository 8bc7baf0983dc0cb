--[[
  Claims a chat for a run (docs/architecture.md, "Claim"): bumps the lease epoch, which fences
  every write of any earlier holder, takes the lease, and starts the new holder's write sequence.
  A live lease (its key not yet expired) is never taken over; the caller waits its remaining time.

  It also counts, durably and before the run can fail, the runs that took on the chat's pending
  work (a turn in flight, or input past the consumed cursor): `attempts` grows by one per such
  claim and is reset when a turn completes. So a run that dies or fails anywhere, even before its
  turn starts, is counted, and the next run knows how many came before it (the recovery budget).

  Input:
    KEYS[1] session hash
    KEYS[2] lease key
    KEYS[3] input stream
    ARGV[1] run sequence of the job
    ARGV[2] worker id
    ARGV[3] now (ms)
    ARGV[4] lease duration (ms)

  Output:
    {0, epoch, attempts}  attempts: runs that took on the pending work, this one included (0: none)
    {-1}            no such session
    {-3}            session closed
    {-4}            stale job: its run sequence was superseded or the run already ended
    {-5, pttl}      another holder's lease is live for pttl more ms
]]
local rcall = redis.call

local fields = rcall('HMGET', KEYS[1], 'status', 'runSeq', 'activeTurn', 'inputCursor', 'attempts')
local status = fields[1]
if not status then
  return {-1}
end
if status == 'closed' then
  return {-3}
end
if tonumber(fields[2]) ~= tonumber(ARGV[1]) or (status ~= 'queued' and status ~= 'running') then
  return {-4}
end

local ttl = rcall('PTTL', KEYS[2])
if ttl > 0 then
  return {-5, ttl}
end

local attempts = tonumber(fields[5] or '0') or 0
local hasTurnInFlight = fields[3] and fields[3] ~= ''
if hasTurnInFlight or rcall('XRANGE', KEYS[3], '(' .. (fields[4] or '0-0'), '+', 'COUNT', 1)[1] then
  attempts = attempts + 1
end

local epoch = rcall('HINCRBY', KEYS[1], 'epoch', 1)
rcall('SET', KEYS[2], epoch .. ':' .. ARGV[2], 'PX', ARGV[4])
rcall('HSET', KEYS[1], 'status', 'running', 'holder', ARGV[2], 'writeSeq', 0,
  'attempts', attempts, 'leaseExpiresAt', tonumber(ARGV[3]) + tonumber(ARGV[4]),
  'updatedAt', ARGV[3])
return {0, epoch, attempts}
