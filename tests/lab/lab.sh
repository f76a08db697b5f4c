#!/usr/bin/env bash
# The lab: the example site's four machines (nuc1-3, spark) as Debian systemd containers on a local
# podman network, converged with site.yml and inventories/lab.
#
#   lab.sh image   build localhost/ai-platform-lab:bookworm (rootfs cached under .cache/lab/)
#   lab.sh up      image + network + containers, converge site.yml, validate build/lab, summarise
#   lab.sh check   `down`, then `up` twice: prints both run times and their ratio; the second run
#                  must report changed=0 on every host. Then the firewall probe, a rolling k3s
#                  upgrade (tests/lab/upgrade.yml) and the host checks of tests/lab/verify.
#   lab.sh down    remove the containers, the network and build/lab (the image and cache stay)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=$REPO/.cache/lab
# The hosts (names, image, capabilities, network) are defined once, for the lab and molecule.
HOSTS_FILE=$REPO/tests/lab/hosts.yml
INVENTORY=inventories/lab
# Ansible reaches the hosts over SSH as root with this lab's own key; the ssh_config maps each host
# name to its container's address (inventories/lab reads it through ansible_ssh_common_args).
SSH_DIR=$CACHE/ssh
# Stand-ins for what DGX OS ships (GPU, nvidia-smi, docker); a real Spark needs none of it.
SIMULATE_DGX=tests/fixtures/artifacts/dgx/simulate-dgx-spark.yml
RENDER_DIR=build/lab
MIRROR=${LAB_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# Cheap packages every role needs anyway: python3(-apt) for Ansible and its apt module, dbus and
# systemd-sysv for a booting systemd, firewall/TLS/download tools for base and k3s.
# python-is-python3: the Python stand-ins start with `#!/usr/bin/env python`, the interpreter line
# ansible-test's sanity allows for executable files.
# openssh-server: Ansible connects over SSH, as to a site's machines.
PACKAGES=(systemd systemd-sysv dbus python3 python-is-python3 python3-apt sudo iproute2 ca-certificates
  iptables nftables kmod procps gnupg curl openssh-server)
# Units a container cannot or should not run.
MASKED_UNITS=(systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket
  getty@.service serial-getty@.service console-getty.service getty.target
  systemd-remount-fs.service sys-kernel-config.mount)

# Run under a lock (`flock LOCKFILE lab.sh ...`), the lock's descriptor is inherited; podman would
# pass it on to its long-lived helpers (aardvark-dns, conmon), which would then hold the lock for as
# long as the containers run. Close every inherited descriptor but stdin/stdout/stderr (and bash's
# own 255) before any podman command.
for fd_path in "/proc/$$/fd/"*; do
  fd=${fd_path##*/}
  if ((fd > 2 && fd != 255)); then eval "exec $fd>&-" 2>/dev/null || true; fi
done
unset fd_path fd

# The same environment `make` exports, so the script also works when run directly.
export PATH=$REPO/.venv/bin:$PATH
export ANSIBLE_CONFIG=${ANSIBLE_CONFIG:-$REPO/ansible.cfg}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$REPO/tests/lab/containers.conf}
export AI_PLATFORM_CRD_DIR=${AI_PLATFORM_CRD_DIR:-$(cd "$REPO/.." && pwd)/shared/crds}
export AI_PLATFORM_K8S_MINOR=${AI_PLATFORM_K8S_MINOR:-1.33}
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
# Each run ends with its slowest tasks: where a no-op rerun still spends its time.
export ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks PROFILE_TASKS_TASK_OUTPUT_LIMIT=${PROFILE_TASKS_TASK_OUTPUT_LIMIT:-15}

# name image network capabilities(comma-separated), one line per host of tests/lab/hosts.yml.
read_hosts() {
  python - "$HOSTS_FILE" <<'EOF'
import sys, yaml
with open(sys.argv[1]) as handle:
    for host in yaml.safe_load(handle)['platforms']:
        print(host['name'], host['image'], host['network'], ','.join(host.get('capabilities', [])))
EOF
}
HOST_LINES=$(read_hosts)
mapfile -t HOSTS < <(awk '{ print $1 }' <<<"$HOST_LINES")
# One image and one network for all the hosts.
IMAGE=$(awk 'NR == 1 { print $2 }' <<<"$HOST_LINES")
NETWORK=$(awk 'NR == 1 { print $3 }' <<<"$HOST_LINES")
[[ $(awk '{ print $2, $3 }' <<<"$HOST_LINES" | sort -u | wc -l) == 1 ]] ||
  { echo "lab: every host in $HOSTS_FILE must use one image and one network" >&2; exit 1; }

# Set by `up` for `check`.
LAST_LOG=""
LAST_DURATION=0

log() { printf '\n==> %s\n' "$*"; }
die() { printf 'lab: %s\n' "$*" >&2; exit 1; }

# The image is rebuilt when the package or unit list changes: its content key is in a label.
content_key() {
  { printf '%s\n' "${PACKAGES[@]}" "${MASKED_UNITS[@]}" "$MIRROR"; declare -f build_rootfs; } |
    sha256sum | cut -c1-12
}

build_rootfs() {
  local tarball=$1 work
  command -v debootstrap >/dev/null || die "debootstrap is missing (make apt installs it)"
  work=$(mktemp -d "$CACHE/rootfs.XXXXXX")
  # shellcheck disable=SC2064  # expand $work now: it is local
  trap "rm -rf '$work'" EXIT
  log "debootstrap bookworm into $work (about a minute)"
  debootstrap --variant=minbase --include="$(IFS=,; echo "${PACKAGES[*]}")" \
    bookworm "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
  (
    cd "$work/rootfs"
    # Every container gets its own machine id at first boot.
    : >etc/machine-id
    rm -f var/lib/dbus/machine-id
    # Every container gets its own SSH host keys at its first start, not the image's.
    rm -f etc/ssh/ssh_host_*
    mkdir -p etc/systemd/system/ssh.service.d
    cat >etc/systemd/system/ssh.service.d/host-keys.conf <<EOF
[Service]
ExecStartPre=
ExecStartPre=/usr/bin/ssh-keygen -A
ExecStartPre=/usr/sbin/sshd -t
EOF
    for unit in "${MASKED_UNITS[@]}"; do ln -sfn /dev/null "etc/systemd/system/$unit"; done
    cat >etc/apt/sources.list <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb ${MIRROR%/debian}/debian-security bookworm-security main
EOF
    rm -rf var/cache/apt/archives/*.deb var/lib/apt/lists/*
    # An empty list directory with a fresh mtime makes apt's cache_valid_time believe the cache is
    # current, and installs then fail with "No package matching". Epoch forces the first update.
    touch -d @0 var/lib/apt/lists
  )
  tar -C "$work/rootfs" --numeric-owner -czf "$work/rootfs.tar.gz" .
  mv "$work/rootfs.tar.gz" "$tarball"
  rm -rf "$work"
  trap - EXIT
}

cmd_image() {
  local key tarball current start=$SECONDS
  key=$(content_key)
  tarball=$CACHE/bookworm-$key.tar.gz
  mkdir -p "$CACHE"
  # One build at a time (molecule and the lab may both ask for the image).
  exec 9>"$CACHE/image.lock"
  flock 9
  current=$(podman image inspect --format '{{ index .Labels "ai-platform-lab.key" }}' "$IMAGE" 2>/dev/null || true)
  if [[ $current == "$key" ]]; then
    echo "image $IMAGE is up to date ($key)"
    exec 9>&-
    return
  fi
  if [[ -f $tarball ]]; then
    log "importing $IMAGE from the cached $tarball"
  else
    build_rootfs "$tarball"
    # Older tarballs belong to other package lists.
    find "$CACHE" -maxdepth 1 -name 'bookworm-*.tar.gz' ! -name "bookworm-$key.tar.gz" -delete
  fi
  podman import --quiet \
    --change 'CMD ["/sbin/init"]' \
    --change 'ENV container=podman' \
    --change 'STOPSIGNAL SIGRTMIN+3' \
    --change "LABEL ai-platform-lab.key=$key" \
    "$tarball" "$IMAGE" >/dev/null
  exec 9>&-
  echo "image $IMAGE built in $((SECONDS - start)) s"
}

container_state() {
  podman container inspect --format '{{ .State.Status }}' "$1" 2>/dev/null || echo absent
}

# The /24 around the inventory's k3s_api_vip, so the API address kube-vip claims is on the lab network,
# and the half of it without the VIP for the containers: podman must never hand the VIP to a host.
lab_subnet() {
  python - "$REPO/$INVENTORY/group_vars/all/platform.yml" <<'EOF'
import ipaddress, sys, yaml
with open(sys.argv[1]) as handle:
    vip = ipaddress.ip_address(yaml.safe_load(handle)['k3s_api_vip'])
subnet = ipaddress.ip_network('%s/24' % vip, strict=False)
print(subnet, next(half for half in subnet.subnets(prefixlen_diff=1) if vip not in half))
EOF
}

# The lab's key pair, made once per checkout; containers get the public key as root's
# authorized_keys (a bind mount, so the image carries no key).
ssh_key() {
  mkdir -p "$SSH_DIR"
  [[ -f $SSH_DIR/id_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C ai-platform-lab -f "$SSH_DIR/id_ed25519"
}

# The ssh_config inventories/lab uses: host name -> container address, the lab's key, and the
# containers' host keys as scanned now (they are new with every container).
write_ssh_config() {
  local host address
  : >"$SSH_DIR/known_hosts.new"
  {
    for host in "${HOSTS[@]}"; do
      address=$(podman container inspect --format "{{ (index .NetworkSettings.Networks \"$NETWORK\").IPAddress }}" "$host")
      printf 'Host %s\n  HostName %s\n' "$host" "$address"
      ssh-keyscan -t ed25519 "$address" 2>/dev/null >>"$SSH_DIR/known_hosts.new"
    done
    printf 'Host *\n  User root\n  IdentityFile %s\n  IdentitiesOnly yes\n  UserKnownHostsFile %s\n' \
      "$SSH_DIR/id_ed25519" "$SSH_DIR/known_hosts"
  } >"$SSH_DIR/config"
  mv "$SSH_DIR/known_hosts.new" "$SSH_DIR/known_hosts"
  [[ $(wc -l <"$SSH_DIR/known_hosts") -eq ${#HOSTS[@]} ]] || die "not every host's sshd answered ssh-keyscan"
}

start_hosts() {
  local host subnet ip_range current caps cap cap_args
  read -r subnet ip_range < <(lab_subnet)
  ssh_key
  if ! podman network exists "$NETWORK"; then
    podman network create --subnet "$subnet" --ip-range "$ip_range" "$NETWORK" >/dev/null
  fi
  current=$(podman network inspect --format '{{ range .Subnets }}{{ .Subnet }}{{ end }}' "$NETWORK")
  [[ $current == "$subnet" ]] || die "network $NETWORK is $current, the inventory's k3s_api_vip needs $subnet: run lab.sh down"
  for host in "${HOSTS[@]}"; do
    if [[ $(container_state "$host") != absent ]] &&
      [[ $(podman container inspect --format '{{ index .Config.Labels "ai-platform-lab" }}' "$host") != 1 ]]; then
      die "a container named $host exists but is not a lab host (molecule's? run lab.sh down)"
    fi
    case $(container_state "$host") in
      running) echo "$host: running, reused" ;;
      absent)
        caps=$(awk -v h="$host" '$1 == h { print $4 }' <<<"$HOST_LINES")
        cap_args=()
        for cap in ${caps//,/ }; do cap_args+=(--cap-add "$cap"); done
        # The container name is the inventory name, so hosts reach each other by it.
        podman run -d --name "$host" --hostname "$host" --network "$NETWORK" \
          --systemd=always "${cap_args[@]}" \
          -v "$SSH_DIR/id_ed25519.pub:/root/.ssh/authorized_keys:ro" \
          --label ai-platform-lab=1 "$IMAGE" >/dev/null
        echo "$host: started" ;;
      *) podman start "$host" >/dev/null; echo "$host: restarted" ;;
    esac
  done
  for host in "${HOSTS[@]}"; do
    local state="" tries=0
    # Until systemd has started dbus, systemctl cannot even connect: retry for up to a minute.
    until [[ $state == running || $state == degraded ]]; do
      ((++tries <= 60)) || {
        podman exec "$host" systemctl --failed --no-pager >&2 || true
        die "$host: systemd did not finish booting (state: ${state:-unknown})"
      }
      sleep 1
      state=$(timeout 60 podman exec "$host" systemctl is-system-running --wait 2>/dev/null || true)
    done
    echo "$host: systemd $state"
  done
  write_ssh_config
}

# Recap lines: "nuc1 : ok=12 changed=0 unreachable=0 failed=0 skipped=3 rescued=0 ignored=0".
recap() { sed -n '/^PLAY RECAP/,$p' "$1" | grep -E '^[^ ]+ +: ok=' || true; }

cmd_up() {
  local start=$SECONDS rc=0 validation
  cmd_image
  log "hosts"
  start_hosts
  mkdir -p "$CACHE/logs"
  log "simulating the DGX Spark's GPU stack on spark (lab stand-ins)"
  (cd "$REPO" && ansible-playbook "$SIMULATE_DGX" -i "$INVENTORY") >"$CACHE/logs/simulate-dgx.log" 2>&1 \
    || { tail -30 "$CACHE/logs/simulate-dgx.log" >&2; die "$SIMULATE_DGX failed"; }
  recap "$CACHE/logs/simulate-dgx.log"
  LAST_LOG=$CACHE/logs/up-$(date -u +%Y%m%dT%H%M%S).log
  log "ansible-playbook site.yml -i $INVENTORY (log: ${LAST_LOG#"$REPO"/})"
  (cd "$REPO" && ansible-playbook site.yml -i "$INVENTORY") 2>&1 | tee "$LAST_LOG" || rc=$?
  [[ $rc -eq 0 ]] || die "site.yml failed (exit $rc); log: $LAST_LOG"
  log "validating $RENDER_DIR (Kubernetes $AI_PLATFORM_K8S_MINOR, CRDs from $AI_PLATFORM_CRD_DIR)"
  validation=$(cd "$REPO" && python tests/tools/validate_manifests.py "$RENDER_DIR" \
    --crds "$AI_PLATFORM_CRD_DIR" --kubernetes "$AI_PLATFORM_K8S_MINOR" 2>&1) || rc=$?
  echo "$validation"
  [[ $rc -eq 0 ]] || die "manifest validation failed"
  LAST_DURATION=$((SECONDS - start))

  log "summary"
  # The site's summary play prints the routing table and team budgets; repeat it here.
  sed -n '/^TASK \[.*[Rr]outing table/,/^PLAY RECAP/p' "$LAST_LOG" | sed '1d;$d'
  echo "hosts converged:"
  recap "$LAST_LOG" | awk '{ print "  " $0 }'
  echo "objects: $(tail -1 <<<"$validation")"
  echo "duration: ${LAST_DURATION} s"
}

cmd_check() {
  local first second changed
  # Both runs are timed from fresh hosts and a built image.
  cmd_image
  cmd_down
  cmd_up
  first=$LAST_DURATION
  log "second run: every host must report changed=0"
  cmd_up
  second=$LAST_DURATION
  changed=$(recap "$LAST_LOG" | grep -vE ' changed=0 ' || true)
  [[ -n $(recap "$LAST_LOG") ]] || die "no PLAY RECAP in $LAST_LOG"
  log "idempotence"
  echo "first run ${first} s, second run ${second} s, ratio $(awk -v a="$second" -v b="$first" \
    'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }') (goal: below 0.25)"
  [[ -z $changed ]] || die "not idempotent, the second run changed:"$'\n'"$changed"
  echo "second run: changed=0 on every host"
  probe_firewall
  log "rolling k3s upgrade (tests/lab/upgrade.yml)"
  (cd "$REPO" && ansible-playbook tests/lab/upgrade.yml -i "$INVENTORY") >"$CACHE/logs/upgrade.log" 2>&1 \
    || { tail -30 "$CACHE/logs/upgrade.log" >&2; die "the upgrade failed; log: $CACHE/logs/upgrade.log"; }
  recap "$CACHE/logs/upgrade.log"
  log "host checks (tests/lab/verify, testinfra over SSH)"
  (cd "$REPO" && python -m pytest -q -p no:cacheprovider tests/lab/verify)
}

# The base firewall opens vLLM (and every cluster port) to the nodes only: a node gets an answer
# from spark:8000, a container on the same network that is not a node gets nothing. SSH stays open
# to the controller (an admin address on the lab network).
probe_firewall() {
  local url=http://spark:8000/health code rc=0 host
  log "firewall: SSH from the controller, $url from a node and from a non-node on $NETWORK"
  for host in "${HOSTS[@]}"; do
    ssh -F "$SSH_DIR/config" -o BatchMode=yes -o ConnectTimeout=10 "$host" true ||
      die "the controller cannot reach $host over SSH after the firewall"
  done
  echo "controller -> ${HOSTS[*]}: SSH ok"
  code=$(podman exec nuc1 curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$url" || true)
  [[ $code == 200 ]] || die "nuc1 could not reach $url (HTTP ${code:-none})"
  echo "nuc1 -> $url: HTTP $code"
  podman run --rm --network "$NETWORK" --label ai-platform-lab=1 "$IMAGE" \
    curl -s -o /dev/null --max-time 5 "$url" || rc=$?
  # curl exits 28 on a timeout: the SYN was dropped, not refused.
  [[ $rc -eq 28 ]] || die "a non-node reached $url or was refused instead of dropped (curl exit $rc)"
  echo "non-node -> $url: dropped (timed out)"
}

cmd_down() {
  local host
  # The hosts' names are the lab's: molecule's cluster instances of them go too.
  for host in "${HOSTS[@]}"; do
    if [[ $(container_state "$host") != absent ]]; then
      podman rm -f -t 5 "$host" >/dev/null
      echo "$host: removed"
    fi
  done
  if podman network exists "$NETWORK"; then
    podman network rm "$NETWORK" >/dev/null
    echo "network $NETWORK: removed"
  fi
  rm -rf "${REPO:?}/$RENDER_DIR"
  echo "$RENDER_DIR: removed"
}

case ${1:-} in
  image) cmd_image ;;
  up) cmd_up ;;
  check) cmd_check ;;
  down) cmd_down ;;
  *) echo "usage: $0 image|up|check|down" >&2; exit 2 ;;
esac
