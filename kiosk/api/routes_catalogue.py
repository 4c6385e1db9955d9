"""API routes: catalogue."""
