--[[
  Appends a batch of output entries (UI message chunks or control records) in one round trip,
  fenced by the lease epoch: a holder whose lease was taken over writes nothing. Idempotent on
  the holder's write sequence: a client that re-sends the call after a lost reply (a Redis
  restart) appends nothing twice.

  Input:
    KEYS[1] session hash
    KEYS[2] output stream
    ARGV[1] epoch
    ARGV[2] output wake channel
    ARGV[3] length of the output stream past which the records before the turn in flight are
            trimmed (a safety bound; completed turns trim it far below). The turn in flight is
            never trimmed: its recovery reads it from its `turn-start`.
    ARGV[4] write sequence of the holder (1, 2, ... per epoch)
    ARGV[5..] one field/value pair per entry: 'c', chunk JSON | 'k', control record JSON

  Output:
    {0, lastEntryId}
    {0, ''}  a duplicate of a write already done
    {-2}  lease lost
]]
local rcall = redis.call

if rcall('HGET', KEYS[1], 'epoch') ~= ARGV[1] then
  return {-2}
end
if tonumber(rcall('HGET', KEYS[1], 'writeSeq') or '0') >= tonumber(ARGV[4]) then
  return {0, ''}
end
rcall('HSET', KEYS[1], 'writeSeq', ARGV[4])
local id = ''
for i = 5, #ARGV, 2 do
  id = rcall('XADD', KEYS[2], '*', ARGV[i], ARGV[i + 1])
end
if rcall('XLEN', KEYS[2]) > tonumber(ARGV[3]) then
  local turnStart = rcall('HGET', KEYS[1], 'activeTurn')
  if turnStart and turnStart ~= '' then
    rcall('XTRIM', KEYS[2], 'MINID', turnStart)
  end
end
if id ~= '' then
  rcall('PUBLISH', ARGV[2], id)
end
return {0, id}
