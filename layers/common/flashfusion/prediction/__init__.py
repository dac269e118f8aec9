"""Predictive caching, the pure part: normalised briefs and their "close enough" measure, the exact-result
cache key, and the forecast of each organisation's next requests from its history. No AWS, no settings:
models and plain values in, plain values out (flashfusion.app.result_cache and flashfusion.app.prefetch
use them with the stores)."""
