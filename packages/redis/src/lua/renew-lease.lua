--[[
  Extends the holder's lease, if its epoch is still the session's. The session also keeps when the
  lease runs out (`leaseExpiresAt`), so that the reconciler can tell how long a chat has been
  `running` with no live lease (a holder that died after its job ended).

  Input:
    KEYS[1] session hash
    KEYS[2] lease key
    ARGV[1] epoch
    ARGV[2] worker id
    ARGV[3] lease duration (ms)
    ARGV[4] now (ms)

  Output:
    {0}   renewed
    {-2}  lease lost: a newer holder claimed the chat
]]
local rcall = redis.call

if rcall('HGET', KEYS[1], 'epoch') ~= ARGV[1] then
  return {-2}
end
rcall('SET', KEYS[2], ARGV[1] .. ':' .. ARGV[2], 'PX', ARGV[3])
rcall('HSET', KEYS[1], 'leaseExpiresAt', tonumber(ARGV[4]) + tonumber(ARGV[3]))
return {0}
