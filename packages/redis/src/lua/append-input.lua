--[[
  Appends one input record and, in the same step, decides whether a run must be enqueued
  (docs/architecture.md, "Append"): a message moves a `new` or `suspended` session to `queued` and
  returns the run sequence to enqueue. An append is idempotent on its part id: a retried append
  returns the first append's input id and appends nothing.

  A message also records `markedAt`, the time the gateway marked the chat in the custody index just
  before this append: the reconciler drops a chat from that index only once the chat's own record
  shows the append that went with the mark has landed (reconcile.ts in the worker).

  A stop while nothing is pending or running would stop nothing, so it is not appended.
  The input stream has no MAXLEN on purpose: an unconsumed message must never be trimmed. It is
  trimmed to the consumed cursor when a turn completes (complete-turn.lua).

  Input:
    KEYS[1] session hash
    KEYS[2] input stream
    KEYS[3] part claim key
    KEYS[4] output stream
    KEYS[5] messages list
    ARGV[1] record JSON
    ARGV[2] now (ms)
    ARGV[3] '1' if the record needs a run (a message), '0' if not (a stop)
    ARGV[4] input wake channel
    ARGV[5] part claim TTL (ms)
    ARGV[6] custody mark time (ms) of a message, '' for a stop

  Output:
    {0, inputId, outputTailId, runSeqToEnqueue (0: none), isDuplicate (0|1), agentId}
    inputId is '' when a stop was dropped because nothing runs. A duplicate of a queued session
    returns the queued run sequence again: enqueueing is idempotent on the job id, so a retry
    repairs an append whose enqueue was lost.
    {-1}  no such session
    {-3}  session closed
]]
local rcall = redis.call

local fields = rcall('HMGET', KEYS[1], 'status', 'agentId', 'runSeq')
local status = fields[1]
if not status then
  return {-1}
end
if status == 'closed' then
  return {-3}
end

local outputTail = '0-0'
local last = rcall('XREVRANGE', KEYS[4], '+', '-', 'COUNT', 1)
if last[1] then
  outputTail = last[1][1]
end

if ARGV[6] ~= '' then
  rcall('HSET', KEYS[1], 'markedAt', ARGV[6])
end

local claimed = rcall('GET', KEYS[3])
if claimed then
  local requeue = 0
  if status == 'queued' then
    requeue = tonumber(fields[3])
  end
  return {0, claimed, outputTail, requeue, 1, fields[2]}
end

local isIdle = status == 'new' or status == 'suspended'
if ARGV[3] == '0' and isIdle then
  return {0, '', outputTail, 0, 0, fields[2]}
end

local inputId = rcall('XADD', KEYS[2], '*', 'r', ARGV[1])
rcall('SET', KEYS[3], inputId, 'PX', ARGV[5])

local runSeq = 0
if ARGV[3] == '1' and isIdle then
  runSeq = rcall('HINCRBY', KEYS[1], 'runSeq', 1)
  rcall('HSET', KEYS[1], 'status', 'queued', 'queuedAt', ARGV[2])
  -- An idle chat's keys were set to expire (create-session.lua, suspend-session.lua): it lives on.
  for _, key in ipairs({KEYS[1], KEYS[2], KEYS[4], KEYS[5]}) do
    rcall('PERSIST', key)
  end
end
rcall('HSET', KEYS[1], 'updatedAt', ARGV[2])
rcall('PUBLISH', ARGV[4], inputId)
return {0, inputId, outputTail, runSeq, 0, fields[2]}
