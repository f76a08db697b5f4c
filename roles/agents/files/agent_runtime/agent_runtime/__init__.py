"""Reference agent runtime: one JetStream consumer, one LiteLLM alias, only the granted tools.

See docs/agents.md in the collection for the contract (environment, subjects, message format).
"""

# Also the image tag: roles/agents/vars/main.yml __agents_runtime_version (a unit test keeps them equal).
__version__ = '1.0.0'
