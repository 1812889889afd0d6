"""Reports, the moderators queue, hiding content, warnings, suspensions and their log."""
