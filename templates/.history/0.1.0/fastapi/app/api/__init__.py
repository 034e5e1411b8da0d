"""HTTP layer: routers and dependencies."""
