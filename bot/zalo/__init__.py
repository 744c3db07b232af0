"""The Zalo channel: a thin API client, the channel adapter, polling and a local stand-in."""
