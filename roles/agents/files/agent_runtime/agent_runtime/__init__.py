"""Reference agent runtime: one JetStream consumer, one LiteLLM alias, only the granted tools.

See docs/agents.md in the collection for the contract (environment, subjects, message format).
"""

__version__ = '1.0.0'
