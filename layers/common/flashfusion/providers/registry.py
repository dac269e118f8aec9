"""Which adapters exist, and which of them this deployment may call."""

from __future__ import annotations

from collections.abc import Callable

from flashfusion.errors import FaultInjectionNotAllowed, NoModelAvailable
from flashfusion.models import Fault
from flashfusion.providers.base import Provider
from flashfusion.providers.faults import FaultInjectingProvider
from flashfusion.providers.offline_text import OfflineTextProvider

ADAPTERS: dict[str, Callable[[], Provider]] = {
    "local": OfflineTextProvider,
}


def available_providers(enabled: frozenset[str]) -> frozenset[str]:
    """Providers both enabled by configuration and implemented by an adapter."""
    return frozenset(enabled & ADAPTERS.keys())


def provider_for(name: str, enabled: frozenset[str], faults: list[Fault], allow_faults: bool) -> Provider:
    if name not in available_providers(enabled):
        raise NoModelAvailable(f"provider {name!r} is not enabled in this deployment")
    provider = ADAPTERS[name]()
    if faults:
        if not allow_faults:
            raise FaultInjectionNotAllowed("fault injection is only allowed on the local engine")
        return FaultInjectingProvider(provider, faults)
    return provider
