"""Pages that belong to no single feature: home, language choice, credits, health."""
