"""The conversation, channel-neutral: Events in, Replies out. Nothing here imports telegram."""
