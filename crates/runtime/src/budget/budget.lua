-- One organisation's budget in Redis: WindowState (store.rs) as one atomic script, on Redis's
-- own clock (TIME), so the clocks of the processes sharing it do not matter. Instants travel as
-- offsets in milliseconds from the caller's "now" and come back as offsets from Redis's.
--
-- KEYS[1]  the state: a hash (l limit, s spent, e external, f in flight, c carried,
--          r reset at, y synced, w window, b blocked until; times in ms on Redis's clock)
-- KEYS[2]  the queue of waiters: a sorted set of tickets by arrival
-- KEYS[3]  the waiters: a hash ticket -> "points:expires at", and "#seq" the arrival counter
-- ARGV     op, ticket, points, initial (limit, window, reset offset, spent, synced),
--          observation (limit, remaining, reset offset, blocked offset; -1 for none),
--          answered, landed, ticket grace, a window length learned from the server (-1 for
--          none)
--
-- Returns {granted, wait offset, exists, limit, spent, external, in flight, carried,
--          reset offset, synced, window, blocked offset (-1 for none)}.

-- Redis before 5 replicates scripts, not their effects, and refuses writes after TIME unless
-- told otherwise; later versions always replicate effects (and may drop this function).
if redis.replicate_commands then
  redis.replicate_commands()
end

local op = ARGV[1]
local ticket = ARGV[2]
local points = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)

if op == 'leave' then
  redis.call('ZREM', KEYS[2], ticket)
  redis.call('HDEL', KEYS[3], ticket)
  return {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1}
end

local s = nil
local raw = redis.call('HMGET', KEYS[1], 'l', 's', 'e', 'f', 'c', 'r', 'y', 'w', 'b')
if raw[1] then
  s = {
    limit = tonumber(raw[1]), spent = tonumber(raw[2]), external = tonumber(raw[3]),
    in_flight = tonumber(raw[4]), carried = tonumber(raw[5]), reset_at = tonumber(raw[6]),
    synced = tonumber(raw[7]), window = tonumber(raw[8]), blocked = tonumber(raw[9])
  }
elseif op == 'reserve' or op == 'observe' then
  s = {
    limit = tonumber(ARGV[4]), spent = tonumber(ARGV[7]), external = 0, in_flight = 0,
    carried = 0, reset_at = now + tonumber(ARGV[6]), synced = tonumber(ARGV[8]),
    window = math.max(tonumber(ARGV[5]), 1), blocked = 0
  }
end

if not s then
  return {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1}
end

local function remaining()
  return math.max(s.limit - s.spent - s.external, 0)
end

-- A new window: only the points still in flight can count in it; what was carried into the
-- window that ends never landed and is dropped.
local function start_window()
  s.in_flight = math.max(s.in_flight - s.carried, 0)
  s.carried = s.in_flight
  s.spent = math.min(s.in_flight, s.spent)
  s.external = 0
end

local function land(landed)
  s.carried = math.max(s.carried - landed, 0)
  s.in_flight = math.max(s.in_flight - landed, 0)
end

local function advance()
  if now >= s.reset_at then
    local skipped = math.floor((now - s.reset_at) / s.window)
    s.reset_at = s.reset_at + s.window * (skipped + 1)
    start_window()
    if skipped > 0 then
      start_window()
    end
  end
  if s.blocked > 0 and now >= s.blocked then
    local until_at = s.blocked
    s.blocked = 0
    if s.reset_at > until_at then
      start_window()
      s.reset_at = until_at + s.window
    end
  end
end

local granted, wait_until = 0, now

-- Waiters take points in the order they first had to wait, so a dear request is not starved
-- by cheap ones: a caller gets its points only if they are left after every waiter ahead of
-- it that fits in what is left. Waiters that cannot fit before the reset do not hold points
-- back (the others may use them, the window would lose them otherwise); a waiter that does
-- not come back by the expiry of its ticket (a crashed process) is dropped.
local function reserve()
  advance()
  local mine = redis.call('ZSCORE', KEYS[2], ticket)
  local available = remaining()
  wait_until = s.reset_at
  if s.blocked > 0 then
    available = -1
    wait_until = s.blocked
  else
    local queue = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
    for i = 1, #queue, 2 do
      local other, arrival = queue[i], tonumber(queue[i + 1])
      if mine and arrival >= tonumber(mine) then
        break
      end
      local info = redis.call('HGET', KEYS[3], other)
      local cost, expires = nil, 0
      if info then
        local colon = string.find(info, ':', 1, true)
        if colon then
          cost = tonumber(string.sub(info, 1, colon - 1))
          expires = tonumber(string.sub(info, colon + 1))
        end
      end
      if (not cost) or (not expires) or expires < now then
        redis.call('ZREM', KEYS[2], other)
        redis.call('HDEL', KEYS[3], other)
      elseif cost <= available then
        available = available - cost
      end
    end
  end
  -- A limit below the request's cost: waiting cannot help, but the limit may have changed
  -- since the server said so. The request goes alone, as the window's first, and its answer
  -- tells the limit now: one probe per window.
  local probe = s.blocked == 0 and points > s.limit and s.spent == 0 and s.external == 0
  if points <= available or probe then
    s.spent = s.spent + points
    s.in_flight = s.in_flight + points
    if mine then
      redis.call('ZREM', KEYS[2], ticket)
      redis.call('HDEL', KEYS[3], ticket)
    end
    granted = 1
    wait_until = now
    return
  end
  if not mine then
    local arrival = redis.call('HINCRBY', KEYS[3], '#seq', 1)
    redis.call('ZADD', KEYS[2], arrival, ticket)
  end
  redis.call('HSET', KEYS[3], ticket, points .. ':' .. (wait_until + tonumber(ARGV[15])))
end

-- The server's limit and reset win; its remaining points only ever lower what is left.
local function observe()
  advance()
  local learned = tonumber(ARGV[16])
  if learned >= 1 then
    s.window = learned
  end
  land(tonumber(ARGV[14]))
  local limit, seen = tonumber(ARGV[9]), tonumber(ARGV[10])
  local reset_offset, blocked_offset = tonumber(ARGV[11]), tonumber(ARGV[12])
  if limit >= 0 then
    s.limit = limit
  end
  local tolerance = math.min(math.floor(s.window / 2), 1000)
  local stale = false
  if reset_offset >= 0 then
    local reset_at = now + reset_offset
    -- A reset that taught a shorter window is the current window's, though earlier than the
    -- end the old length gave.
    stale = s.synced == 1 and learned < 1 and reset_at + tolerance < s.reset_at
    if not stale then
      if s.synced == 0 or reset_at > s.reset_at + tolerance then
        start_window()
        s.spent = s.spent + tonumber(ARGV[13])
      end
      s.reset_at = math.max(reset_at, now)
      s.synced = 1
    end
  end
  if seen >= 0 and not stale then
    local used = math.max(s.limit - seen, 0)
    s.external = math.max(s.external, used - s.spent)
  end
  if blocked_offset >= 0 then
    s.external = math.max(s.limit - s.spent, s.external)
    s.blocked = math.max(s.blocked, now + blocked_offset)
  end
end

if op == 'reserve' then
  reserve()
elseif op == 'observe' then
  observe()
elseif op == 'refund' then
  advance()
  s.spent = math.max(s.spent - points, 0)
  land(points)
else
  advance()
end

redis.call('HSET', KEYS[1], 'l', s.limit, 's', s.spent, 'e', s.external, 'f', s.in_flight,
  'c', s.carried, 'r', s.reset_at, 'y', s.synced, 'w', s.window, 'b', s.blocked)
-- Keys clean themselves up: two windows after the last reset that matters.
local last = math.max(s.reset_at, s.blocked, wait_until + tonumber(ARGV[15]))
local ttl = math.max(last - now, 0) + 2 * s.window
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('PEXPIRE', KEYS[3], ttl)

local blocked_offset = -1
if s.blocked > 0 then
  blocked_offset = s.blocked - now
end
return {granted, math.max(wait_until - now, 0), 1, s.limit, s.spent, s.external, s.in_flight,
  s.carried, s.reset_at - now, s.synced, s.window, blocked_offset}
