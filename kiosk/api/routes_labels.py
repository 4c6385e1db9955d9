"""API routes: labels."""
