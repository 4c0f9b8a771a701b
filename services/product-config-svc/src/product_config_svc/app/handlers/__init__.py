"""Reactions to events from other services, one per message, named for what they do."""
