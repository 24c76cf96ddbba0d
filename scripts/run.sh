#!/usr/bin/env bash
# `make run`: migrate, start the WeCom simulator, load the demo company from it, serve on 127.0.0.1:PORT.
set -euo pipefail
PORT=${1:-8000}
SIM_PORT=${2:-9100}
cd "$(dirname "$0")/.."
BIN=.venv/bin
mkdir -p var
export ZHIDU_ENV=${ZHIDU_ENV:-dev}

# The simulated WeCom company (dev only). These are the simulator's own demo credentials, not secrets.
export WECOM_API_BASE=${WECOM_API_BASE:-http://127.0.0.1:$SIM_PORT}
export WECOM_CORP_ID=${WECOM_CORP_ID:-wwzhidudemo}
export WECOM_CONTACT_SECRET=${WECOM_CONTACT_SECRET:-sim-contact-secret}
export WECOM_CUSTOMER_SECRET=${WECOM_CUSTOMER_SECRET:-sim-customer-secret}
export WECOM_APP_SECRET=${WECOM_APP_SECRET:-sim-app-secret}
export WECOM_ARCHIVE_SECRET=${WECOM_ARCHIVE_SECRET:-sim-archive-secret}
export WECOM_AGENT_ID=${WECOM_AGENT_ID:-1000002}
export WECOM_TOKEN=${WECOM_TOKEN:-simtoken}
export WECOM_ENCODING_AES_KEY=${WECOM_ENCODING_AES_KEY:-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG}

port_busy() { (echo > /dev/tcp/127.0.0.1/"$1") 2>/dev/null; }
for p in "$PORT" "$SIM_PORT"; do
  if port_busy "$p"; then
    echo "Port $p on 127.0.0.1 is already in use (an earlier zhidu still running?)." >&2
    echo "Stop it, or choose other ports: make run PORT=8001 SIM_PORT=9101" >&2
    exit 1
  fi
done

$BIN/zhidu migrate --noinput -v0

SIM_PID=""
SCHED_PID=""
cleanup() {
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null
  [ -n "$SCHED_PID" ] && kill "$SCHED_PID" 2>/dev/null
  true
}
trap cleanup EXIT INT TERM
# The chat-archive key pair of the demo (generated once, kept in var/, never committed).
ARCHIVE_KEY=var/demo-archive-key.pem
if [ ! -f "$ARCHIVE_KEY" ]; then
  $BIN/python -c "
from cryptography.hazmat.primitives import serialization as s
from cryptography.hazmat.primitives.asymmetric import rsa
k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
open('$ARCHIVE_KEY', 'wb').write(k.private_bytes(s.Encoding.PEM, s.PrivateFormat.TraditionalOpenSSL, s.NoEncryption()))"
  chmod 600 "$ARCHIVE_KEY"
fi
if [ -z "${WECOM_ARCHIVE_PRIVATE_KEYS:-}" ]; then
  export WECOM_ARCHIVE_PRIVATE_KEYS="{\"1\": \"$ARCHIVE_KEY\"}"
fi

if $BIN/python -c "import wecomsim" >/dev/null 2>&1; then
  $BIN/zhidu wecom-sim --port "$SIM_PORT" --seed 42 --size small \
    --corp-id "$WECOM_CORP_ID" --contact-secret "$WECOM_CONTACT_SECRET" --customer-secret "$WECOM_CUSTOMER_SECRET" \
    --app-secret "$WECOM_APP_SECRET" --archive-secret "$WECOM_ARCHIVE_SECRET" --agent-id "$WECOM_AGENT_ID" \
    --archive-private-key "$ARCHIVE_KEY" --archive-messages 2000 \
    --callback-url "http://127.0.0.1:$PORT/wecom/callback/" --token "$WECOM_TOKEN" --aes-key "$WECOM_ENCODING_AES_KEY" \
    --activity 20 --config '{"transfer_delay": 86400}' > var/wecom-sim.log 2>&1 &
  SIM_PID=$!
  for _ in $(seq 1 100); do
    if ! kill -0 "$SIM_PID" 2>/dev/null; then
      echo "The WeCom simulator did not start; its log (var/wecom-sim.log) says:" >&2
      tail -5 var/wecom-sim.log >&2
      exit 1
    fi
    port_busy "$SIM_PORT" && break
    sleep 0.2
  done
  echo "WeCom simulator: $WECOM_API_BASE (log: var/wecom-sim.log)"
else
  unset WECOM_CORP_ID
fi

$BIN/zhidu demo
$BIN/zhidu scheduler > var/scheduler.log 2>&1 &
SCHED_PID=$!
echo
echo "zhidu is starting on http://127.0.0.1:$PORT/  (Ctrl-C to stop)"
$BIN/zhidu runserver "127.0.0.1:$PORT" --noreload
