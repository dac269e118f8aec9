"""The local engine and the `ffo` CLI: run the real workflow offline on moto. Never shipped to Lambda."""

from ffo.lazy_packages import defer_init

# Before any module of ffo imports moto's Step Functions parser, which imports moto.batch for one enum:
# moto.batch's package init (the Batch models, moto.ec2 and its data, ~0.7 s) then runs only if Batch is
# really used. See ffo.lazy_packages.
defer_init("moto.batch")
