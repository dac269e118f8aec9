"""The use cases: submit, review, campaigns and posts, publish, batch, and one function per workflow step.

They take their adapters from a deps object (built in ``flashfusion.wiring``) and know nothing of
Lambda events, HTTP or the CLI.
"""
