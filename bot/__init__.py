"""kehoach-bot runtime: settings, i18n, campaign files, the Telegram transport and the CLI."""
