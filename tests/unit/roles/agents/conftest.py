"""The reference agent runtime ships as role files; its package is imported from there."""

import os
import sys

from helpers import REPO

RUNTIME_DIR = os.path.join(REPO, 'roles', 'agents', 'files', 'agent_runtime')
if RUNTIME_DIR not in sys.path:
    sys.path.insert(0, RUNTIME_DIR)
