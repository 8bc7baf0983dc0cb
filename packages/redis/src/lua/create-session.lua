--[[
  Creates a chat's session record unless it exists (POST /v1/sessions is idempotent per chat id).

  Input:
    KEYS[1] session hash
    ARGV[1] agent id
    ARGV[2] now (ms)
    ARGV[3] client data JSON, or '' for none
    ARGV[4] tags JSON
    ARGV[5] idle retention (ms): a chat that never gets a message expires then; 0 keeps it

  Output:
    {0, 1, agentId, 'new'}     created
    {0, 0, agentId, status}    existed already; agentId and status are the stored ones (a closed
                               chat says so: its token still reads it, its messages get 409)
]]
local rcall = redis.call

local existing = rcall('HGET', KEYS[1], 'agentId')
if existing then
  -- Rewritten as it is: a replica acknowledgement (WAIT) counts only the writes of its own
  -- connection, so an ensure through another gateway must write to be covered by one.
  rcall('HSET', KEYS[1], 'agentId', existing)
  return {0, 0, existing, rcall('HGET', KEYS[1], 'status') or ''}
end
rcall('HSET', KEYS[1],
  'agentId', ARGV[1], 'status', 'new', 'epoch', 0, 'holder', '', 'runSeq', 0,
  'inputCursor', '0-0', 'turns', 0, 'activeTurn', '', 'usage', '',
  'clientData', ARGV[3], 'tags', ARGV[4], 'createdAt', ARGV[2], 'updatedAt', ARGV[2])
if tonumber(ARGV[5]) > 0 then
  rcall('PEXPIRE', KEYS[1], ARGV[5])
end
return {0, 1, ARGV[1], 'new'}
