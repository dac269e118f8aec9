"""Which adapters exist, and which of them this deployment may call.

Vendor modules are imported when first used, so a function's cold start only pays for the vendor
it calls.
"""

from __future__ import annotations

import importlib
from typing import Any

from flashfusion.errors import FaultInjectionNotAllowed, NoModelAvailable
from flashfusion.models import Fault
from flashfusion.providers.base import ProviderContext
from flashfusion.providers.faults import FaultInjectingProvider
from flashfusion.providers.traced import TracedProvider

# provider name -> "module:Class"; every class is constructed as Class(ctx)
ADAPTERS: dict[str, str] = {
    "local": "flashfusion.providers.local:LocalProvider",
    "openai": "flashfusion.providers.openai:OpenAIProvider",
    "gemini": "flashfusion.providers.gemini:GeminiProvider",
    "bedrock": "flashfusion.providers.bedrock:BedrockProvider",
    "runway": "flashfusion.providers.runway:RunwayProvider",
    "replicate": "flashfusion.providers.replicate:ReplicateProvider",
    "elevenlabs": "flashfusion.providers.elevenlabs:ElevenLabsProvider",
    "generic-http": "flashfusion.providers.generic_http:GenericHttpProvider",
}


def available_providers(enabled: frozenset[str]) -> frozenset[str]:
    """Providers both enabled by configuration and implemented by an adapter."""
    return frozenset(enabled & ADAPTERS.keys())


def provider_for(
    name: str, ctx: ProviderContext, enabled: frozenset[str], faults: list[Fault], allow_faults: bool
) -> Any:
    if name not in available_providers(enabled):
        raise NoModelAvailable(f"provider {name!r} is not enabled in this deployment")
    module_name, class_name = ADAPTERS[name].split(":")
    provider = getattr(importlib.import_module(module_name), class_name)(ctx)
    if faults:
        if not allow_faults:
            raise FaultInjectionNotAllowed("fault injection is only allowed on the local engine")
        provider = FaultInjectingProvider(provider, faults)
    return TracedProvider(provider)  # outermost: an injected fault shows on the span as the vendor's would
