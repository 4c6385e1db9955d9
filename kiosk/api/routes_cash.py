"""API routes: cash."""
