-- wrk script of the soak (bench/soak/run.sh writes requests.tsv next to the
-- output: one request a line, "weight<TAB>method<TAB>path<TAB>cookie<TAB>csrf<TAB>body").
-- Each thread walks the weighted list in a shuffled order of its own, so the
-- connections mix pages, the API and the occasional contact POST.
local file = os.getenv("SOAK_REQUESTS")

local function load()
  local reqs = {}
  for line in io.lines(file) do
    local w, method, path, cookie, csrf, body = line:match("^(%d+)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    if w then
      local headers = { ["Cookie"] = cookie, ["Accept-Encoding"] = "gzip, br" }
      if method ~= "GET" then
        headers["X-CSRF-Token"] = csrf
        headers["Content-Type"] = "application/json"
      end
      if body == "" then body = nil end
      local r = wrk.format(method, path, headers, body)
      for _ = 1, tonumber(w) do reqs[#reqs + 1] = r end
    end
  end
  return reqs
end

local reqs, n, i

function init(args)
  reqs = load()
  n = #reqs
  i = 0
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
  for k = n, 2, -1 do
    local j = math.random(k)
    reqs[k], reqs[j] = reqs[j], reqs[k]
  end
end

function request()
  i = i % n + 1
  return reqs[i]
end
