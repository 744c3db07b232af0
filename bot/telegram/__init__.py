"""The Telegram channel: its adapter, long polling, sender and the Bot API stand-in."""
