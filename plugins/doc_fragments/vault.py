# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Connection options shared by the vault_* modules.
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Address of the Vault (or OpenBao) API, for example V(https://vault.example.internal:8200).
    type: str
    required: true
    aliases: [address]
  namespace:
    description:
      - Vault Enterprise namespace (sent as C(X-Vault-Namespace)).
    type: str
  ca_cert:
    description:
      - CA bundle to verify the server's certificate with.
    type: path
  validate_certs:
    description:
      - Verify the server's TLS certificate. Ignored when O(ca_cert) is set.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for each API call.
    type: int
    default: 30
  retry_budget:
    description:
      - Seconds during which a call that could not connect, timed out, or got HTTP 429, 502, 503 or 504
        is tried again, waiting 0.5 s, 1 s, 2 s, 4 s, 8 s, then 10 s between attempts. The default of
        120 s rides out a rolling restart of Vault or of a proxy in front of it. V(0) tries each call once.
      - A write is tried again only when Vault cannot have received it (the connection was refused or the
        answer says it was not served), so nothing is initialised, unsealed or written twice.
      - When a run fails part-way, its error names what it had already written.
    type: int
    default: 120
requirements:
  - hvac
"""

    # How modules that need a token authenticate.
    AUTH = r"""
options:
  auth_method:
    description:
      - How to authenticate.
      - V(token) uses O(token); V(approle) logs in with O(role_id) and O(secret_id);
        V(kubernetes) logs in with the service account token in O(kubernetes_jwt_file) as O(kubernetes_role).
    type: str
    default: token
    choices: [token, approle, kubernetes]
  auth_mount:
    description:
      - Path the auth method is mounted at. Defaults to the method's name.
    type: str
  token:
    description:
      - Vault token, for O(auth_method=token).
    type: str
  role_id:
    description:
      - AppRole role ID, for O(auth_method=approle).
    type: str
  secret_id:
    description:
      - AppRole secret ID, for O(auth_method=approle).
    type: str
  kubernetes_role:
    description:
      - Vault role to log in as, for O(auth_method=kubernetes).
    type: str
  kubernetes_jwt_file:
    description:
      - Service account token file, for O(auth_method=kubernetes).
    type: path
    default: /var/run/secrets/kubernetes.io/serviceaccount/token
"""

    # Check mode as every reconciling vault_* module implements it.
    CHECK_MODE = r"""
attributes:
  check_mode:
    description: Reads and compares, writes nothing, and reports what would change.
    support: full
"""
