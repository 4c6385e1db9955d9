"""API routes: stock."""
