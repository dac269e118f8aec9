"""The steps of the create-asset workflow, one function per state, called by the thin handlers."""
