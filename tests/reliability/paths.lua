-- wrk script: each connection's requests cycle through the paths given after `--`, so one run
-- mixes lists, searches and detail pages. Usage: wrk -s paths.lua URL -- /path1 /path2 ...
local paths = {}
local n = 0
init = function(args)
  for i, path in ipairs(args) do paths[i] = path end
  -- Threads start at different places in the cycle, so the mix is the same at every moment.
  n = math.random(#paths)
end
request = function()
  n = n % #paths + 1
  return wrk.format(nil, paths[n])
end
