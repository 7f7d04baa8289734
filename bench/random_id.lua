-- wrk script: each request a different incident id, spread over the corpus: a kept response is
-- (almost) never hit. Usage: wrk -s bench/random_id.lua URL -- "/incidents/%d" [MAX_ID, default
-- 1000000] (Datasette: "/1m/incident/%d.json"). `bench.api --concurrent` passes both.
local fmt
local top = 1000000
local n = 0
init = function(args)
  fmt = args[1]
  if args[2] then top = tonumber(args[2]) end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
request = function()
  n = n + 1
  return wrk.format(nil, string.format(fmt, math.random(1, top)))
end
