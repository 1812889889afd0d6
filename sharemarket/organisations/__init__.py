"""Organisations (town hall, associations, companies, schools, tiers-lieux), communities and moderation."""
