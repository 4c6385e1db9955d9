"""API routes: sales."""
