"""HTTP API pieces shared by the API function's routers: the caller's identity, error responses."""
