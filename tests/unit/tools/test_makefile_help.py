"""`make help` lists every target of the Makefile, each with its `##` description."""

import re
import subprocess

from helpers import REPO


def test_make_help_lists_every_target():
    with open(REPO + '/Makefile') as handle:
        targets = {m.group(1) for m in re.finditer(r'^([a-z][a-z-]*):', handle.read(), re.M)}
    shown = subprocess.run(['make', '-s', 'help'], cwd=REPO, capture_output=True, text=True, check=True).stdout
    listed = {m.group(1) for m in re.finditer(r'^make (\S+) +\S', shown, re.M)}
    assert targets and listed == targets
