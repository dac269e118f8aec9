"""The local engine and the `ffo` CLI: run the real workflow offline on moto. Never shipped to Lambda."""

import sys

from ffo.lazy_packages import defer_init

# Before any module of ffo imports moto's Step Functions parser, which imports moto.batch for one enum:
# moto.batch's package init (the Batch models, moto.ec2 and its data, ~0.7 s) then runs only if Batch is
# really used. See ffo.lazy_packages.
defer_init("moto.batch")

# httpx imports its command-line client (click, rich, pygments: ~60 ms) whenever those happen to be installed,
# as they are in the dev venv for other tools (the Lambda layer has none of them). ffo never runs httpx's CLI:
# httpx falls back to a stub ``main`` when ``httpx._main`` cannot be imported, and the rest of httpx is unchanged.
if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
