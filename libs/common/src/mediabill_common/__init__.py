"""Shared plumbing for Mediabill services."""
