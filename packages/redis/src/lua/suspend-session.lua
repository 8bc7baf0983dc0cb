--[[
  Suspends an idle chat (DESIGN.md section 4.5): only if no input record waits past the holder's
  read cursor, so a message appended a moment earlier is never stranded. After this the next append
  finds `suspended` and enqueues a new run.

  Input:
    KEYS[1] session hash
    KEYS[2] input stream
    KEYS[3] lease key
    ARGV[1] epoch
    ARGV[2] read cursor: every input record up to it is handled
    ARGV[3] now (ms)

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
  'updatedAt', ARGV[3])
rcall('DEL', KEYS[3])
return {0}
