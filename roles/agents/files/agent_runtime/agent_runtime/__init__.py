"""Reference agent runtime: one JetStream consumer, one LiteLLM alias, only the granted tools.

See docs/agents.md in the collection for the contract (environment, subjects, message format).
"""

# Also the image tag: AGENT_RUNTIME_VERSION in plugins/module_utils/platform_names.py, which the
# agent_runtime_image filter names the image with (a unit test keeps them equal).
__version__ = '1.0.0'
