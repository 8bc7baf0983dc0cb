--[[
  Extends the holder's lease, if its epoch is still the session's.

  Input:
    KEYS[1] session hash
    KEYS[2] lease key
    ARGV[1] epoch
    ARGV[2] worker id
    ARGV[3] lease duration (ms)

  Output:
    {0}   renewed
    {-2}  lease lost: a newer holder claimed the chat
]]
local rcall = redis.call

if rcall('HGET', KEYS[1], 'epoch') ~= ARGV[1] then
  return {-2}
end
rcall('SET', KEYS[2], ARGV[1] .. ':' .. ARGV[2], 'PX', ARGV[3])
return {0}
