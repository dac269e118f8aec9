"""The local engine and the `ffo` CLI: run the real workflow offline on moto. Never shipped to Lambda."""
