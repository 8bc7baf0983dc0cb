--[[
  Preloads a chat (`POST /v1/sessions` with `preload: true`, Trigger.dev's `transport.preload`):
  starts a run before the first message, so that the agent boots and runs `onPreload` while the
  user types. Only a chat that never ran is preloaded: status `new` (no message was ever appended,
  no run ever started). Any other chat is left as it is and the reply says why: a second preload,
  or a preload that lost the race to the first message, finds `queued` or `running`; a chat that
  already has turns, or whose preloaded run suspended waiting for its first message, finds
  `suspended`. So at most one run is ever started by preloading, and never a second run for a
  chat a message already started.

  A preload moves the chat to `queued` under a new run sequence, exactly as a first message does
  (append-input.lua), and records that run sequence in `preloadRunSeq`: the run of that sequence
  is the preloaded run (it calls `onPreload`), and `preloadRunSeq > 0` marks the chat as
  preloaded for good. The caller enqueues the job; like a message append, it marked the chat in
  the custody index just before, and `markedAt` records that mark (on every preload, started or
  not), so a gateway that dies before its enqueue leaves the chat to the reconciler.

  Client data: stored when the session has none yet (a session created without it).

  Input:
    KEYS[1] session hash
    KEYS[2] input stream
    KEYS[3] output stream
    KEYS[4] messages list
    ARGV[1] now (ms)
    ARGV[2] custody mark time (ms)
    ARGV[3] client data JSON, or '' for none

  Output:
    {0, runSeq, agentId}          preloaded: enqueue a job for runSeq
    {0, 0, agentId, status, turns} not preloaded: the chat's status and turn count say why
    {-1}  no such session
    {-3}  session closed
]]
local rcall = redis.call

local fields = rcall('HMGET', KEYS[1], 'status', 'agentId', 'turns', 'clientData')
local status = fields[1]
if not status then
  return {-1}
end
if status == 'closed' then
  return {-3}
end

-- Every preload records its mark, started or not, so the reconciler drops the mark of a chat
-- that is idle without waiting for it to age out.
rcall('HSET', KEYS[1], 'markedAt', ARGV[2])
if ARGV[3] ~= '' and (fields[4] == false or fields[4] == '') then
  rcall('HSET', KEYS[1], 'clientData', ARGV[3])
end

local turns = tonumber(fields[3] or '0') or 0
if status ~= 'new' or turns > 0 then
  return {0, 0, fields[2], status, turns}
end

local runSeq = rcall('HINCRBY', KEYS[1], 'runSeq', 1)
rcall('HSET', KEYS[1], 'status', 'queued', 'queuedAt', ARGV[1], 'preloadRunSeq', runSeq,
  'updatedAt', ARGV[1])
-- A new chat's keys were set to expire (create-session.lua): a preloaded chat lives on.
for _, key in ipairs({KEYS[1], KEYS[2], KEYS[3], KEYS[4]}) do
  rcall('PERSIST', key)
end
return {0, runSeq, fields[2]}
