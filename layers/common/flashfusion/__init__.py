"""FlashFusion Orchestrator shared layer: models, routing, providers, linting, provenance, storage."""

__version__ = "0.1.0"
