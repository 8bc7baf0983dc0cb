--[[
  Suspends an idle chat (docs/architecture.md, "Warm wait and suspend"): only if no input record
  waits past the holder's read cursor, so a message appended a moment earlier is never stranded.
  After this the next append finds `suspended` and enqueues a new run. An idle chat's keys expire
  after the idle retention unless a message comes first (append-input.lua keeps them again).

  Input:
    KEYS[1] session hash
    KEYS[2] input stream
    KEYS[3] lease key
    KEYS[4] output stream
    KEYS[5] messages list
    ARGV[1] epoch
    ARGV[2] read cursor: every input record up to it is handled
    ARGV[3] now (ms)
    ARGV[4] idle retention (ms) of the chat's keys; 0 keeps them

  Output:
    {0}   suspended
    {1}   not suspended: input is waiting past the cursor
    {-2}  lease lost
]]
local rcall = redis.call

if rcall('HGET', KEYS[1], 'epoch') ~= ARGV[1] then
  return {-2}
end
local waiting = rcall('XRANGE', KEYS[2], '(' .. ARGV[2], '+', 'COUNT', 1)
if waiting[1] then
  return {1}
end
rcall('HSET', KEYS[1], 'status', 'suspended', 'holder', '', 'inputCursor', ARGV[2],
  'attempts', 0, 'updatedAt', ARGV[3])
rcall('DEL', KEYS[3])
if tonumber(ARGV[4]) > 0 then
  for _, key in ipairs({KEYS[1], KEYS[2], KEYS[4], KEYS[5]}) do
    rcall('PEXPIRE', key, ARGV[4])
  end
end
return {0}
