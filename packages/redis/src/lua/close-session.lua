--[[
  Closes a chat for good (docs/architecture.md, "Close"): appends are refused from now on
  (append-input.lua), a holder is fenced off at once (the epoch is bumped, its lease dropped: it
  notices at its next write or renewal and lets go), readers of the output see a `session-closed`
  record, the run that holds the chat is woken by a `close` input record (it ends at once, warm or
  mid-turn, rather than at its next renewal), and every key of the chat expires after the
  closed-chat retention. A turn in flight is abandoned: nothing of it reaches the checkpoint.
  Idempotent.

  Input:
    KEYS[1] session hash
    KEYS[2] lease key
    KEYS[3] input stream
    KEYS[4] output stream
    KEYS[5] messages list
    ARGV[1] now (ms)
    ARGV[2] session-closed record JSON
    ARGV[3] output wake channel
    ARGV[4] input wake channel
    ARGV[5] retention (ms) of the chat's keys; 0 keeps them
    ARGV[6] close input record JSON

  Output:
    {0, 1}  closed now
    {0, 0}  was closed already
    {-1}    no such session
]]
local rcall = redis.call

local status = rcall('HGET', KEYS[1], 'status')
if not status then
  return {-1}
end
if status == 'closed' then
  -- Writes the status it has again: a repeated close must write something, because the caller's
  -- WAIT (redis-session-store.ts, `minReplicas`) covers only the writes of its own connection,
  -- and the first close may have come through another one and not reached the replicas yet.
  rcall('HSET', KEYS[1], 'status', 'closed')
  return {0, 0}
end

rcall('HINCRBY', KEYS[1], 'epoch', 1)
rcall('HSET', KEYS[1], 'status', 'closed', 'holder', '', 'activeTurn', '', 'closedAt', ARGV[1],
  'updatedAt', ARGV[1])
rcall('DEL', KEYS[2])
local id = rcall('XADD', KEYS[4], '*', 'k', ARGV[2])
rcall('PUBLISH', ARGV[3], id)
rcall('XADD', KEYS[3], '*', 'r', ARGV[6])
rcall('PUBLISH', ARGV[4], '')
if tonumber(ARGV[5]) > 0 then
  for i = 1, 5 do
    if i ~= 2 then
      rcall('PEXPIRE', KEYS[i], ARGV[5])
    end
  end
end
return {0, 1}
