"""The plan's rules, free of any transport or storage: timelines, completeness, status, text."""
