-- wrk script: each request a different incident id, spread over the million: a kept response is
-- (almost) never hit. Usage: wrk -s bench/random_id.lua URL -- "/incidents/%d" (Datasette: "/1m/incident/%d.json")
local fmt
local n = 0
init = function(args)
  fmt = args[1]
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
request = function()
  n = n + 1
  return wrk.format(nil, string.format(fmt, math.random(1, 1000000)))
end
