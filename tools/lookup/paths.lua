-- wrk script for tools/bench-lookup.sh: every request is a path drawn at random from a file
-- holding one path a line.
--
--   wrk -t2 -c64 -d10s --latency -s tools/lookup/paths.lua http://127.0.0.1:PORT -- PATHS_FILE
--
-- wrk runs one Lua state per thread, so each thread reads the file in init() and formats every
-- request once there; a request then costs one random number and one table read. Answers other
-- than 2xx are counted by status in each thread, and done() adds them up and prints them with
-- the socket errors, so that a run with failures says so in its own output.

local threads = {}

function setup(thread)
   threads[#threads + 1] = thread
   thread:set("id", #threads)
end

local requests = {}
local count = 0
-- Global, not local: done() reads it from each thread's state through thread:get().
failures = {}

function init(args)
   local file = args[1]
   if not file then
      error("paths.lua: pass the paths file after --, e.g. wrk ... URL -- paths.txt")
   end
   local f = assert(io.open(file, "r"))
   for line in f:lines() do
      if line ~= "" then
         count = count + 1
         requests[count] = wrk.format("GET", line)
      end
   end
   f:close()
   if count == 0 then
      error("paths.lua: no paths in " .. file)
   end
   -- A different but repeatable sequence per thread (id is set by setup()).
   math.randomseed(6007 * (id or 1))
end

function request()
   return requests[math.random(count)]
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      failures[status] = (failures[status] or 0) + 1
   end
end

function done(summary, latency, _)
   local total, by_status = 0, {}
   for _, thread in ipairs(threads) do
      for status, n in pairs(thread:get("failures") or {}) do
         by_status[status] = (by_status[status] or 0) + n
         total = total + n
      end
   end
   local statuses = {}
   for status in pairs(by_status) do
      statuses[#statuses + 1] = status
   end
   table.sort(statuses)
   local parts = {}
   for _, status in ipairs(statuses) do
      parts[#parts + 1] = string.format("%d: %d", status, by_status[status])
   end
   local e = summary.errors
   local sockets = e.connect + e.read + e.write + e.timeout
   io.write(string.format("paths.lua: non-2xx responses: %d%s\n", total,
      #parts > 0 and (" (" .. table.concat(parts, ", ") .. ")") or ""))
   io.write(string.format("paths.lua: socket errors: %d (connect %d, read %d, write %d, timeout %d)\n",
      sockets, e.connect, e.read, e.write, e.timeout))
   if total > 0 or sockets > 0 then
      io.write("paths.lua: !!! THIS RUN HAD FAILURES: its figures do not measure working answers !!!\n")
   end
end
