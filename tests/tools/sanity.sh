#!/usr/bin/env bash
# ansible-test sanity needs the collection under ansible_collections/<namespace>/<name>; run it on a
# copy of the files git knows about, in the venv's Python, with no ignore file.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dest="$work/ansible_collections/baremetal/ai_platform"
mkdir -p "$dest"
cd "$repo"
git ls-files -co --exclude-standard | grep -v '^collections/ansible_collections/' \
  | tar -cf - -T - | tar -xf - -C "$dest"
cd "$dest"
if [ -e tests/sanity ]; then
  echo "tests/sanity must not exist: this collection keeps no ignore file" >&2
  exit 1
fi
# A venv of its own: --requirements installs the sanity tools' pins, which must not disturb the
# project venv (ansible-test's --venv mode needs a pip bootstrap download that is blocked here).
venv="$repo/.cache/sanity-venv"
if [ ! -x "$venv/bin/ansible-test" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "$(grep '^ansible-core==' "$repo/requirements.txt")"
fi
# ansible-test bootstraps pip in each test venv with a get-pip script it downloads from a host this
# machine cannot reach. Stand in with the interpreter's own ensurepip plus pip from PyPI; get-pip's
# extra flags (--no-setuptools, --no-wheel) mean "do not install those", which is pip's default.
pip_version=$(grep -oP "pip='\K[0-9.]+" "$("$venv/bin/python" -c 'import ansible_test._internal.python_requirements as m; print(m.__file__)')")
cache="$HOME/.ansible/test/cache"
mkdir -p "$cache"
cat > "$cache/get_pip_${pip_version//./_}.py" <<'PY'
import ensurepip
import os
import subprocess
import sys

env = dict(os.environ)
ensurepip.bootstrap(upgrade=True)  # sets PIP_CONFIG_FILE=/dev/null in os.environ as a side effect
args = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + args, env=env)
PY
"$venv/bin/ansible-test" sanity --requirements --python "$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" \
  --color no "$@"
