"""The `ffo` commands, one module each: ``register(subparsers, parents)`` adds the command's parser
(its ``func`` is the module's ``run``), ``run(args)`` runs it and returns the exit code."""
