--[[
  Drops a chat from one shard of the custody index, only if its entry still has the score the
  reconciler read (docs/architecture.md, "Custody"): a gateway that marked the chat again since
  then wrote a new score, and that newer mark stays.

  Input:
    KEYS[1] custody shard (sorted set of chat ids by mark time)
    ARGV[1] chat id
    ARGV[2] the score the reconciler read

  Output:
    {0}  dropped
    {1}  kept: the entry changed or is gone
]]
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) == tonumber(ARGV[2]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return {0}
end
return {1}
