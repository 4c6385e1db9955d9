"""API routes: envelopes."""
