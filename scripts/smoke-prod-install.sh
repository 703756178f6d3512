#!/usr/bin/env bash
# Production install smoke test: pack the package, install the tarball with --omit=dev into an
# empty directory, then run `--version` and a short `demo` that must publish discovery and a state.
# This is also what the Dockerfile's steps amount to, proven here without a Docker engine.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'kill "${demo_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
mkdir -p "$work/app"
(cd "$work/app" && npm init -y >/dev/null && npm install --omit=dev --no-audit --no-fund "$work/$tarball" >/dev/null)
bin="$work/app/node_modules/.bin/librelinkup2mqtt"

version=$("$bin" --version)
expected=$(node -p 'require("./package.json").version')
[ "$version" = "$expected" ] || { echo "smoke: --version printed '$version', expected '$expected'"; exit 1; }

port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
"$bin" demo --port "$port" >"$work/demo.log" 2>&1 &
demo_pid=$!

# Read discovery and a state with the mqtt package from the installed app (no dev dependencies).
if ! (cd "$work/app" && node --input-type=module -e "
  import mqtt from 'mqtt';
  const deadline = setTimeout(() => { console.error('smoke: no discovery/state within 20 s'); process.exit(1); }, 20000);
  const connect = () => {
    const c = mqtt.connect('mqtt://127.0.0.1:$port', { reconnectPeriod: 200 });
    const seen = { discovery: false, state: false, done: false };
    c.on('connect', () => c.subscribe(['homeassistant/#', 'librelinkup2mqtt/#']));
    c.on('message', (topic, payload) => {
      if (topic.startsWith('homeassistant/sensor/') && topic.endsWith('/glucose/config') && payload.length) seen.discovery = true;
      if (/^librelinkup2mqtt\/[^/]+\/state$/.test(topic) && payload.toString().startsWith('{') && 'glucose_mgdl' in JSON.parse(payload.toString())) seen.state = true;
      if (seen.discovery && seen.state && !seen.done) { seen.done = true; clearTimeout(deadline); console.log('smoke: demo published discovery and state'); c.end(true, () => process.exit(0)); }
    });
  };
  connect();
"); then
  echo "--- demo log"; cat "$work/demo.log"; exit 1
fi

kill -TERM "$demo_pid"
code=0
wait "$demo_pid" || code=$?
[ "$code" -eq 0 ] || { echo "smoke: demo exited $code after SIGTERM (expected 0)"; cat "$work/demo.log"; exit 1; }
grep -q 'embedded MQTT broker listening on mqtt://127.0.0.1:' "$work/demo.log" || { echo 'smoke: broker URL not logged'; cat "$work/demo.log"; exit 1; }
echo "smoke: production install OK ($tarball)"
