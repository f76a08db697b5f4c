# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Connection options shared by the LiteLLM management API modules.
    DOCUMENTATION = r"""
options:
  api_url:
    description:
      - Base URL of the LiteLLM proxy, for example V(http://litellm.ai-gateway.svc:4000).
      - Read from the E(LITELLM_URL) environment variable when not given.
    type: str
    required: true
  master_key:
    description:
      - The proxy's master key, sent as a bearer token.
      - Read from the E(LITELLM_MASTER_KEY) environment variable when not given.
    type: str
    required: true
  timeout:
    description:
      - Seconds to wait for each API call.
    type: int
    default: 30
  retry_budget:
    description:
      - Seconds during which a call that could not connect, timed out, or got HTTP 429, 502, 503 or
        504 is tried again, waiting 0.5 s, 1 s, 2 s, 4 s, 8 s, then 10 s between attempts. The
        default of 120 s rides out a rolling restart of the proxy. V(0) tries each call once.
      - Other answers (401, 403, other 4xx, 500) fail at once. When a run fails part-way, its error
        message and its C(written) result list what it had already changed.
    type: int
    default: 120
  validate_certs:
    description:
      - Verify the proxy's TLS certificate.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the CA that signed the proxy's certificate, for a certificate the system trust store
        does not know (the site CA of the ingress role, written to its C(ingress_ca_cert_dest)).
      - If not set, the environment variable E(LITELLM_CA_PATH) is used; without either, the system
        trust store.
    type: path
notes:
  - LiteLLM keeps teams and keys in its database; the proxy must run with C(database_url).
"""

    # Removal options shared by litellm_team and litellm_key (module_utils.litellm_api.prune_argument_spec).
    PRUNE = r"""
options:
  owner:
    description:
      - Marks every item this call manages as this owner's (metadata key C(managed_by)); the mark is
        compared and added like any other metadata key.
      - Items without the mark, made by people or other tools, are never deleted by O(prune).
    type: str
  prune:
    description:
      - Delete the items in LiteLLM that carry O(owner)'s mark and are not in this call's list, as if
        they were listed with C(state=absent). They are reported in RV(deleted) (and shown first in
        check mode and with C(--diff)).
      - Requires O(owner).
    type: bool
    default: false
"""
