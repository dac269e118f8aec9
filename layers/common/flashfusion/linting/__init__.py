"""The brand linter: one module per check, each returning violations; ``lint_text`` runs them."""
